"""The page-level line classifier's predictor and the model folder it lives in.

The classifier works in two passes.  The first pass labels each line from
its own features and its neighbours'; the second pass sees, besides those,
what the first pass believes of the lines around it, because furniture and
teasers come in runs and the article is mostly one block.  Training
(``estimator.PageLineClassifier``, scikit-learn) lives apart from
prediction (``PagePredictor``, numpy), so that loading a model stays cheap.

A model folder holds ``textmodel.ftz`` (fastText, the line-text model),
``classifier.joblib`` (the predictor), ``metadata.json`` (versions, labels,
training-data summary, checksums) and optionally ``memory.json`` (taught
templates).  joblib files are pickles: they are checked against the
metadata's checksums before loading, but load model folders only from the
installed package or a folder you trust.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import second_pass_batch
from .forest import Forest
from .memory import MEMORY_FILE, TemplateMemory
from .textmodel import LABELS

# 2: classifier.joblib holds a PagePredictor (numpy arrays), not scikit-learn objects.
FORMAT_VERSION = 2
TEXTMODEL_FILE = "textmodel.ftz"
CLASSIFIER_FILE = "classifier.joblib"
METADATA_FILE = "metadata.json"


class ModelError(RuntimeError):
    """A model folder is missing, damaged or was made by incompatible software."""


def _second_pass_matrix(X: np.ndarray, P: np.ndarray, page_ptr: np.ndarray) -> np.ndarray:
    if len(page_ptr) < 2:
        return np.zeros((0, 0), dtype=np.float32)
    return second_pass_batch(X, P, page_ptr)


class PagePredictor:
    """The two fitted passes of ``estimator.PageLineClassifier``, ready to predict.

    ``X`` stacks the first-pass feature rows (``features.context_features``)
    of many pages; ``page_ptr`` gives where each page starts, like a CSR
    index pointer (``page_ptr[k]:page_ptr[k+1]`` are page k's rows).  Plain
    numpy: loading it does not import scikit-learn.
    """

    def __init__(self, first: Forest, second: Forest, n_features: int):
        self.first = first
        self.second = second
        self.n_features_in_ = n_features
        self.classes_ = np.array(LABELS)

    def predict_proba(self, X, page_ptr) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.shape[0] == 0:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        codes = self.first.bin_codes(X)
        P1 = self.first.predict_proba(X, len(LABELS), codes)
        X2 = _second_pass_matrix(X, P1, np.asarray(page_ptr))
        # The second pass was fitted on the same rows with the first pass's columns first:
        # those columns have the same bin edges, so their codes are binned once.
        return self.second.predict_proba(X2, len(LABELS), self.second.bin_codes(X2, reuse=(self.first, codes)))

    def predict(self, X, page_ptr) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X, page_ptr), axis=1)]

@dataclass
class ModelFiles:
    """What a model folder holds once loaded."""

    folder: Path
    textmodel: object
    classifier: PagePredictor
    metadata: dict = field(default_factory=dict)
    memory: TemplateMemory | None = None


def _versions() -> dict:
    import sklearn

    try:
        from importlib.metadata import version

        ft = version("fasttext-numpy2")
    except Exception:  # pragma: no cover - another fastText distribution
        ft = "unknown"
    return {"scikit-learn": sklearn.__version__, "fasttext": ft, "numpy": np.__version__}


def save_model(folder: str | Path, textmodel, classifier, metadata: dict) -> Path:
    """Write a model folder (created if needed) and return its path.

    classifier: a fitted ``estimator.PageLineClassifier`` (its predictor is
    stored) or a ``PagePredictor``.
    """
    import joblib

    if not isinstance(classifier, PagePredictor):
        classifier = classifier.predictor()

    from . import __version__

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    textmodel.save(folder / TEXTMODEL_FILE)
    joblib.dump(classifier, folder / CLASSIFIER_FILE, compress=3)
    meta = {
        "format_version": FORMAT_VERSION,
        "langsplit_version": __version__,
        "labels": list(LABELS),
        "n_features": int(classifier.n_features_in_),
        "versions": _versions(),
        **metadata,
    }
    meta["files"] = file_digests(folder)
    (folder / METADATA_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def file_digests(folder: str | Path) -> dict:
    """Size and SHA-256 of the model's binary files, recorded in the metadata.

    fastText loads a .ftz cut short without complaint (or grows without bound
    on some cuts), and unpickling a tampered joblib file can run code: both
    files are checked against these before they are read.
    """
    out = {}
    optional = [MEMORY_FILE] if (Path(folder) / MEMORY_FILE).is_file() else []
    for name in (TEXTMODEL_FILE, CLASSIFIER_FILE, *optional):
        data = (Path(folder) / name).read_bytes()
        out[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return out


def _check_file(folder: Path, name: str, meta: dict) -> None:
    path = folder / name
    if not path.is_file():
        raise ModelError(f"{path}: missing from the model folder")
    want = meta.get("files", {}).get(name)
    if not isinstance(want, dict):
        raise ModelError(f"{folder / METADATA_FILE}: no size and checksum for {name}; retrain or reinstall the model")
    data = path.read_bytes()
    if len(data) != want.get("bytes") or hashlib.sha256(data).hexdigest() != want.get("sha256"):
        raise ModelError(f"{path}: does not match the size and checksum in {METADATA_FILE} "
                         "(truncated, damaged or replaced); reinstall langsplit or retrain the model")


def _check_scikit_learn(meta: dict, clf_path: Path) -> None:
    """Format 1 pickled scikit-learn objects: they load only in the minor version that made them."""
    import sklearn

    made_with = str(meta.get("versions", {}).get("scikit-learn", "unknown"))
    if made_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(f"{clf_path}: a format-1 model made with scikit-learn {made_with}, but "
                         f"{sklearn.__version__} is installed; install scikit-learn=={made_with} or retrain the model")


def __getattr__(name: str):
    # Format-1 folders pickled the estimator under this module's name; it now lives in
    # estimator.py, imported only when such a folder is read (it needs scikit-learn).
    if name == "PageLineClassifier":
        from .estimator import PageLineClassifier

        return PageLineClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_model(folder: str | Path) -> ModelFiles:
    """Read a model folder, with one clear error for anything wrong with it."""
    import joblib

    from .textmodel import LineTextModel

    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"{folder}: no such model folder (expected {METADATA_FILE}, {TEXTMODEL_FILE}, {CLASSIFIER_FILE})")
    meta_path = folder / METADATA_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        raise ModelError(f"{meta_path}: missing; this is not a langsplit model folder") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path}: unreadable metadata ({exc}); retrain or reinstall the model") from None
    if meta.get("format_version") not in (1, FORMAT_VERSION):
        raise ModelError(
            f"{meta_path}: model format {meta.get('format_version')!r}, this langsplit reads format "
            f"{FORMAT_VERSION}; retrain the model with this version (python -m training.train)"
        )
    if meta.get("labels") != list(LABELS):
        raise ModelError(f"{meta_path}: labels {meta.get('labels')!r} are not {list(LABELS)!r}")
    clf_path = folder / CLASSIFIER_FILE
    _check_file(folder, CLASSIFIER_FILE, meta)
    _check_file(folder, TEXTMODEL_FILE, meta)
    if meta["format_version"] == 1:
        _check_scikit_learn(meta, clf_path)
    try:
        classifier = joblib.load(clf_path)
    except FileNotFoundError:
        raise ModelError(f"{clf_path}: missing from the model folder") from None
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, AttributeError, ImportError,
            IndexError, TypeError, zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{clf_path}: damaged or not a langsplit classifier ({type(exc).__name__}); "
                         "reinstall langsplit or retrain the model") from None
    if meta["format_version"] == 1 and type(classifier).__name__ == "PageLineClassifier":
        classifier = classifier.predictor()
    if not isinstance(classifier, PagePredictor):
        raise ModelError(f"{clf_path}: holds a {type(classifier).__name__}, not a PagePredictor")
    if getattr(classifier, "n_features_in_", None) != meta.get("n_features"):
        raise ModelError(f"{clf_path}: feature count does not match {meta_path}; the folder is inconsistent")
    tm_path = folder / TEXTMODEL_FILE
    if not tm_path.is_file():
        raise ModelError(f"{tm_path}: missing from the model folder")
    try:
        textmodel = LineTextModel.load(tm_path)
    except (ValueError, RuntimeError, MemoryError) as exc:
        raise ModelError(f"{tm_path}: damaged fastText model ({exc}); reinstall langsplit or retrain") from None
    memory = None
    if MEMORY_FILE in meta.get("files", {}):
        _check_file(folder, MEMORY_FILE, meta)
        try:
            memory = TemplateMemory.from_json((folder / MEMORY_FILE).read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ModelError(f"{folder / MEMORY_FILE}: not a template memory ({exc}); "
                             "run langsplit train --add again") from None
    return ModelFiles(folder, textmodel, classifier, meta, memory)
