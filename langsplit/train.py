"""Fit a langsplit model on labelled pages.

A labelled page is a dict in the gold format of the seeds
(``{"text": ..., "lines": [{"start", "end", "label"}, ...]}``) with an
optional ``"group"`` (the template family it was made from).  Groups matter:
the page classifier learns how far to trust the line-text model from
out-of-fold predictions on groups that model did not see, the way it will
meet unseen templates in use.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from .features import batch_matrix
from .langid import LanguageIdentifier
from .estimator import PageLineClassifier
from .model import save_model
from .segment import Line, split_lines
from .splitter import _lid_path
from .textmodel import LABELS, LineTextModel
from .textnorm import for_textmodel


def line_labels(page: dict, lines: Sequence[Line]) -> list[str]:
    """Labels of our lines from a gold page: each line takes the label of the gold line it starts in."""
    gold = sorted(page["lines"], key=lambda g: g["start"])
    out: list[str] = []
    j = 0
    for line in lines:
        while j + 1 < len(gold) and gold[j]["end"] <= line.start:
            j += 1
        if not gold or not (gold[j]["start"] <= line.start < max(gold[j]["end"], gold[j]["start"] + 1)):
            raise ValueError(f"page {page.get('id', '?')}: line at {line.start} has no gold label")
        label = gold[j]["label"]
        if label not in LABELS:
            raise ValueError(f"page {page.get('id', '?')}: unknown label {label!r}")
        out.append(label)
    return out


class _Prepared:
    """Lines, labels and language facts of a set of pages, computed once."""

    def __init__(self, pages: Sequence[dict], lid: LanguageIdentifier):
        self.pages = pages
        self.lines = [split_lines(p["text"]) for p in pages]
        self.labels = [line_labels(p, ls) for p, ls in zip(pages, self.lines)]
        self.ptr = np.concatenate([[0], np.cumsum([len(ls) for ls in self.lines])]).astype(np.int64)
        self.flat = [l.text for ls in self.lines for l in ls]
        self.y = np.array([lab for labs in self.labels for lab in labs])
        self.codes, self.lang_probs = lid.predict(self.flat)
        self.page_groups = [str(p.get("group", p.get("id", i))) for i, p in enumerate(pages)]
        self.line_groups = np.repeat(np.array(self.page_groups), np.diff(self.ptr))

    def features(self, tm: np.ndarray) -> np.ndarray:
        return batch_matrix(self.lines, [len(p["text"]) for p in self.pages], self.codes, self.lang_probs, tm)

    def nonempty_ptr(self) -> np.ndarray:
        sizes = np.diff(self.ptr)
        return np.concatenate([[0], np.cumsum(sizes[sizes > 0])]).astype(np.int64)


def _log(msg: str, verbose: bool) -> None:
    if verbose:
        print(f"[train] {msg}", flush=True)


def fit(
    pages: Sequence[dict],
    out_dir: str | Path,
    metadata: dict | None = None,
    n_folds: int = 3,
    textmodel_params: dict | None = None,
    classifier_params: dict | None = None,
    quantize: bool = False,
    verbose: bool = True,
    extra_lines: Sequence[tuple[str, str, str]] = (),
) -> Path:
    """Train a model on labelled pages and write it as a model folder at ``out_dir``.

    extra_lines: (text, label, group) lines that only the line-text model
    learns from, e.g. every furniture string of a template family, so that
    it knows the vocabulary of furniture in every locale and not just the
    strings that happened to be drawn into pages.

    Deterministic for the same pages and parameters.
    """
    t0 = time.time()
    lid = LanguageIdentifier(_lid_path())
    data = _Prepared(pages, lid)
    if len(data.y) == 0:
        raise ValueError("no labelled lines to train on")
    _log(f"{len(pages)} pages, {len(data.y)} lines {dict(Counter(data.y.tolist()))} "
         f"({time.time() - t0:.0f}s)", verbose)
    tm_params = {"thread": 1, **(textmodel_params or {})}

    # Out-of-fold line-text probabilities, folds by group: what the page
    # classifier learns from must look like the text model on a new template.
    oof = np.zeros((len(data.y), len(LABELS)), dtype=np.float32)
    n_groups = len(set(data.page_groups))
    folds = min(n_folds, n_groups)
    if folds >= 2:
        keys = [for_textmodel(t) for t in data.flat]
        for f, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(data.flat, data.y, data.line_groups)):
            # Leave out every training line that also occurs in the held-out fold: a page
            # of a new template mostly holds lines the text model never read.
            held = {keys[i] for i in te}
            held_groups = set(data.line_groups[te].tolist())
            tr = [i for i in tr if keys[i] not in held]
            extra = [(t, lab) for t, lab, g in extra_lines
                     if g not in held_groups and for_textmodel(t) not in held]
            fold_lines = [data.flat[i] for i in tr] + [t for t, _ in extra]
            fold_labels = data.y[tr].tolist() + [lab for _, lab in extra]
            if set(fold_labels) == set(LABELS) and len(fold_lines) >= 50:
                tm = LineTextModel.fit(fold_lines, fold_labels, **tm_params)
                oof[te] = tm.predict_proba([data.flat[i] for i in te])
            else:
                # Too little left to learn from (tiny or uniform data): the
                # page classifier then learns from the label prior alone.
                oof[te] = [np.mean(data.y == lab) for lab in LABELS]
            _log(f"text model fold {f + 1}/{folds} ({time.time() - t0:.0f}s)", verbose)
    textmodel = LineTextModel.fit(data.flat + [t for t, _, _ in extra_lines],
                                  data.y.tolist() + [lab for _, lab, _ in extra_lines],
                                  quantize=quantize, **tm_params)
    if folds < 2:
        oof = textmodel.predict_proba(data.flat)
    _log(f"text model ({time.time() - t0:.0f}s)", verbose)

    X = data.features(oof)
    clf = PageLineClassifier(n_folds=n_folds, **(classifier_params or {}))
    clf.fit(X, data.y, data.nonempty_ptr(), groups=data.line_groups)
    _log(f"page classifier ({time.time() - t0:.0f}s)", verbose)

    meta = {
        "training_data": {
            "pages": len(pages),
            "lines": int(len(data.y)),
            "labels": {k: int(v) for k, v in sorted(Counter(data.y.tolist()).items())},
            "groups": n_groups,
            "extra_text_lines": len(extra_lines),
        },
        "training_seconds": round(time.time() - t0, 1),
        "classifier": clf.get_params(),
        **(metadata or {}),
    }
    return save_model(out_dir, textmodel, clf, meta)
