"""The page-level line classifier and the model folder it lives in.

The classifier is a scikit-learn estimator in two passes.  The first pass
labels each line from its own features and its neighbours'; the second
pass sees, besides those, what the first pass believes of the lines around
it, because furniture and teasers come in runs and the article is mostly
one block.  The second pass is trained on out-of-fold first-pass beliefs,
so that it learns how far to trust them on pages it has not seen.

A model folder holds three files: ``textmodel.ftz`` (fastText, the
line-text model), ``classifier.joblib`` (this estimator) and
``metadata.json`` (versions, labels, training-data summary).  joblib files
are pickles: load them only from the installed package or a folder you
trust.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from .features import second_pass_batch
from .memory import MEMORY_FILE, TemplateMemory
from .textmodel import LABELS

FORMAT_VERSION = 1
TEXTMODEL_FILE = "textmodel.ftz"
CLASSIFIER_FILE = "classifier.joblib"
METADATA_FILE = "metadata.json"


class ModelError(RuntimeError):
    """A model folder is missing, damaged or was made by incompatible software."""


def _second_pass_matrix(X: np.ndarray, P: np.ndarray, page_ptr: np.ndarray) -> np.ndarray:
    if len(page_ptr) < 2:
        return np.zeros((0, 0), dtype=np.float32)
    return second_pass_batch(X, P, page_ptr)


class PageLineClassifier(ClassifierMixin, BaseEstimator):
    """Two-pass gradient-boosted classifier of the lines of pages.

    ``X`` stacks the first-pass feature rows (``features.context_features``)
    of many pages; ``page_ptr`` gives where each page starts, like a CSR
    index pointer (``page_ptr[k]:page_ptr[k+1]`` are page k's rows).
    """

    # 80 trees per class at rate 0.25: in quick training runs within 0.004 dev macro-F1 of 150
    # trees at 0.15, for half the prediction cost (the trees are a third of classify's time).
    def __init__(
        self,
        max_iter: int = 80,
        learning_rate: float = 0.25,
        max_leaf_nodes: int = 31,
        l2_regularization: float = 1.0,
        n_folds: int = 3,
        random_state: int = 0,
    ):
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.n_folds = n_folds
        self.random_state = random_state

    def _booster(self) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        )

    def fit(self, X, y, page_ptr, groups=None, sample_weight=None):
        """Fit both passes.

        groups: one group id per row (e.g. the template family); the second
        pass learns from first-pass beliefs predicted for groups the first
        pass did not see, so that it trusts them only as far as they carry.
        """
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        page_ptr = np.asarray(page_ptr)
        self.classes_ = np.array(LABELS)
        y_idx = np.searchsorted(self.classes_, y)
        if groups is None:
            groups = np.repeat(np.arange(len(page_ptr) - 1), np.diff(page_ptr))
        self.first_ = self._booster().fit(X, y_idx, sample_weight=sample_weight)

        oof = np.zeros((len(y), len(LABELS)), dtype=np.float32)
        n_groups = len(np.unique(groups))
        folds = min(self.n_folds, n_groups)
        if folds >= 2:
            for tr, te in GroupKFold(n_splits=folds).split(X, y_idx, groups):
                sw = None if sample_weight is None else np.asarray(sample_weight)[tr]
                m = self._booster().fit(X[tr], y_idx[tr], sample_weight=sw)
                oof[te] = self._proba(m, X[te])
        else:
            oof = self._proba(self.first_, X)
        self.second_ = self._booster().fit(
            _second_pass_matrix(X, oof, page_ptr), y_idx, sample_weight=sample_weight
        )
        self.n_features_in_ = X.shape[1]
        return self

    def _proba(self, booster: HistGradientBoostingClassifier, X: np.ndarray) -> np.ndarray:
        # A fold may lack a class; put each known class's column where it belongs.
        out = np.zeros((X.shape[0], len(LABELS)), dtype=np.float32)
        if X.shape[0]:
            out[:, booster.classes_] = booster.predict_proba(X)
        return out

    def predict_proba(self, X, page_ptr) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.shape[0] == 0:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        P1 = _binned_proba(self.first_, X)
        return _binned_proba(self.second_, _second_pass_matrix(X, P1, np.asarray(page_ptr)))


def _bin_codes(mapper, X: np.ndarray) -> np.ndarray:
    """The one-byte bin code of every value, as the booster's bin mapper gives it.

    The mapper's own transform costs ~3 ms a call whatever the size (thread set-up),
    which is most of the time of a one-page classify; a binary search per column in
    numpy gives the same codes: the number of bin edges below the value, and the
    missing-value bin for NaN.
    """
    if getattr(mapper, "is_categorical_", None) is not None and np.any(mapper.is_categorical_):
        return mapper.transform(X)  # pragma: no cover - our features are all numeric
    X = np.asfortranarray(X, dtype=np.float64)
    out = np.empty(X.shape, dtype=np.uint8, order="F")
    for j, edges in enumerate(mapper.bin_thresholds_):
        out[:, j] = np.searchsorted(edges, X[:, j], side="left")
    missing = np.isnan(X)
    if missing.any():
        out[missing] = mapper.missing_values_bin_idx_
    return out


def _binned_proba(booster: HistGradientBoostingClassifier, X: np.ndarray) -> np.ndarray:
    """The booster's probabilities, put in LABELS order, by its binned-data path.

    A split ``x <= threshold`` is the same test as ``bin(x) <= bin(threshold)``,
    because the trees' thresholds are the bin edges; so walking the trees over
    one-byte bin codes gives the very same leaves as over the float rows, and
    walks them ~1.5x faster (a row is 8x smaller in cache).  It relies on
    private attributes of HistGradientBoostingClassifier; load_model pins the
    scikit-learn minor version, and anything unexpected falls back to the
    public path.
    """
    out = np.zeros((X.shape[0], len(LABELS)), dtype=np.float32)
    if X.shape[0] == 0:
        return out
    try:
        from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

        binned = _bin_codes(booster._bin_mapper, X)
        raw = np.zeros((X.shape[0], booster._baseline_prediction.shape[1]),
                       dtype=booster._baseline_prediction.dtype, order="F")
        raw += booster._baseline_prediction
        booster._predict_iterations(binned, booster._predictors, raw, is_binned=True,
                                    n_threads=_openmp_effective_n_threads())
        proba = booster._loss.predict_proba(raw)
    except (AttributeError, TypeError, ImportError, ValueError):  # pragma: no cover - other scikit-learn
        proba = booster.predict_proba(X)
    out[:, booster.classes_] = proba
    return out

    def predict(self, X, page_ptr) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X, page_ptr), axis=1)]


@dataclass
class ModelFiles:
    """What a model folder holds once loaded."""

    folder: Path
    textmodel: object
    classifier: PageLineClassifier
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


def save_model(folder: str | Path, textmodel, classifier: PageLineClassifier, metadata: dict) -> Path:
    """Write a model folder (created if needed) and return its path."""
    import joblib

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


def _minor(v: str) -> tuple[str, ...]:
    return tuple(v.split(".")[:2])


def load_model(folder: str | Path) -> ModelFiles:
    """Read a model folder, with one clear error for anything wrong with it."""
    import joblib
    import sklearn

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
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{meta_path}: model format {meta.get('format_version')!r}, this langsplit reads format "
            f"{FORMAT_VERSION}; retrain the model with this version (python -m training.train)"
        )
    if meta.get("labels") != list(LABELS):
        raise ModelError(f"{meta_path}: labels {meta.get('labels')!r} are not {list(LABELS)!r}")
    made_with = str(meta.get("versions", {}).get("scikit-learn", "unknown"))
    if _minor(made_with) != _minor(sklearn.__version__):
        raise ModelError(
            f"{folder / CLASSIFIER_FILE}: made with scikit-learn {made_with}, but {sklearn.__version__} "
            f"is installed; install scikit-learn=={made_with} or retrain the model"
        )
    clf_path = folder / CLASSIFIER_FILE
    _check_file(folder, CLASSIFIER_FILE, meta)
    _check_file(folder, TEXTMODEL_FILE, meta)
    try:
        classifier = joblib.load(clf_path)
    except FileNotFoundError:
        raise ModelError(f"{clf_path}: missing from the model folder") from None
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, AttributeError, ImportError,
            IndexError, TypeError, zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{clf_path}: damaged or not a langsplit classifier ({type(exc).__name__}); "
                         "reinstall langsplit or retrain the model") from None
    if not isinstance(classifier, PageLineClassifier):
        raise ModelError(f"{clf_path}: holds a {type(classifier).__name__}, not a PageLineClassifier")
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
