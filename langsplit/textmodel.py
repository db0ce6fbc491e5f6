"""The line-text model: fastText supervised on word and character n-grams.

It reads one line alone and says how much it looks like article prose,
furniture or another article's teaser, in any language it was trained on.
Its probabilities are features for the page-level classifier, which knows
the context this model cannot see.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .linefacts import distinct
from .textnorm import for_textmodel, for_textmodel_many

LABELS = ("body", "chrome", "teaser")
_TAG = "__label__"

# Chosen for a small, fast model that still sees sub-word patterns across
# scripts: 2-4 character n-grams cover CJK words and inflected endings alike.
# Not quantized: a quantized model predicted 2.5x slower (every n-gram decodes
# product-quantizer codes) and 2 points less accurate on dev lines.  16
# dimensions and words seen at least 3 times keep the plain model near 14 MB
# (32 dimensions and a count of 2 gave 34 MB for the same dev-line accuracy).
DEFAULT_PARAMS = dict(
    dim=24,
    epoch=8,
    lr=0.5,
    wordNgrams=2,
    minn=2,
    maxn=4,
    minCount=5,
    bucket=100_000,
    loss="softmax",
    thread=2,
    seed=1,
    verbose=0,
)


def _silence_fasttext() -> None:
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None


_CHILD = """
import json, sys, fasttext
fasttext.FastText.eprint = lambda *a, **k: None
fasttext.train_supervised(input=sys.argv[1], **json.loads(sys.argv[2])).save_model(sys.argv[3])
"""


def _fit_in_fresh_process(path: str, opts: dict):
    """Train where nothing else has run yet; a gentler rate if that diverges too.

    On small inputs, fastText's training sometimes stops with "Encountered
    NaN" in a process where scikit-learn's OpenMP code has run before (seen
    here: 5 of 30 fits of 150 lines after a HistGradientBoosting fit, none in
    120 fits in a clean process).  A new interpreter starts clean.
    """
    import json
    import subprocess
    import sys

    import fasttext

    fd, out = tempfile.mkstemp(suffix=".bin", prefix="langsplit-model-")
    os.close(fd)
    try:
        for change in ({}, {"lr": opts["lr"] / 4}, {"lr": opts["lr"] / 16}):
            done = subprocess.run([sys.executable, "-c", _CHILD, path, json.dumps({**opts, **change}), out],
                                  capture_output=True, text=True)
            if done.returncode == 0:
                return fasttext.load_model(out)
        raise RuntimeError(f"fastText training failed even with a lower learning rate: {done.stderr[-500:]}")
    finally:
        os.unlink(out)


class LineTextModel:
    """A fastText supervised model over normalised line text."""

    def __init__(self, model) -> None:
        self._model = model
        labels = [lab[len(_TAG):] for lab in model.get_labels()]
        missing = set(LABELS) - set(labels)
        if missing:
            raise ValueError(f"line-text model lacks labels {sorted(missing)}")

    @classmethod
    def load(cls, path: str | Path) -> "LineTextModel":
        import fasttext

        _silence_fasttext()
        return cls(fasttext.load_model(str(path)))

    @classmethod
    def fit(
        cls,
        lines: Sequence[str],
        labels: Sequence[str],
        quantize: bool = False,
        **params,
    ) -> "LineTextModel":
        """Train on lines and their labels (deterministic with thread=1)."""
        import fasttext

        _silence_fasttext()
        opts = {**DEFAULT_PARAMS, **params}
        fd, path = tempfile.mkstemp(suffix=".txt", prefix="langsplit-train-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                for line, label in zip(lines, labels):
                    tokens = for_textmodel(line)
                    if tokens:
                        fh.write(f"{_TAG}{label} {tokens}\n")
            try:
                model = fasttext.train_supervised(input=path, **opts)
            except RuntimeError as exc:
                if "NaN" not in str(exc):
                    raise
                model = _fit_in_fresh_process(path, opts)
            if quantize:
                model.quantize(input=path, qnorm=True, retrain=False, cutoff=100_000)
        finally:
            os.unlink(path)
        return cls(model)

    def save(self, path: str | Path) -> None:
        self._model.save_model(str(path))

    def predict_proba(self, lines: Sequence[str]) -> np.ndarray:
        """Probabilities of (body, chrome, teaser) for each line; repeated lines are scored once."""
        keys, ids = distinct(for_textmodel_many(list(lines)))
        if not keys:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self._rows(keys)[ids]

    def _rows(self, keys: list[str]) -> np.ndarray:
        """One row of clipped (body, chrome, teaser) probabilities per distinct key."""
        labels, probs = self._model.predict(keys, k=len(LABELS))
        col = {f"{_TAG}{name}": j for j, name in enumerate(LABELS)}
        out = np.zeros((len(keys), len(LABELS)), dtype=np.float32)
        for i, (labs, ps) in enumerate(zip(labels, probs)):
            for lab, p in zip(labs, ps):
                out[i, col[lab]] = p
        return np.clip(out, 0.0, 1.0, out=out)
