"""Language identification of lines with fastText's lid.176 model.

lid.176 is strong on sentences and weak on what aggregator furniture is made
of: ALL-CAPS buttons and one-to-three-word lines.  We feed it a lower-cased
copy of shouting lines, fold the Norwegian variants into one code, clip its
probabilities into [0, 1] (k>1 can return a hair above 1) and never ask it
twice about the same line of a batch.  What comes out is a feature for the
classifier, not a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .textnorm import for_langid

_FOLD = {"nb": "no", "nn": "no"}
_PREFIX = len("__label__")


class LanguageIdentifier:
    """Batch language identification with lid.176 (or any fastText LID model)."""

    def __init__(self, path: str | Path):
        import fasttext  # imported here so `import langsplit` stays cheap

        self.path = Path(path)
        # fastText prints a warning to stderr for every load_model call.
        fasttext.FastText.eprint = lambda *args, **kwargs: None
        self._model = fasttext.load_model(str(self.path))

    def predict(self, lines: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Return the language code and its probability for each line.

        Codes are lid.176's ISO codes with nb/nn folded into ``no``; a line
        with no letters gets ``"und"`` and probability 0.
        """
        codes = ["und"] * len(lines)
        probs = np.zeros(len(lines), dtype=np.float32)
        index: dict[str, list[int]] = {}
        for i, line in enumerate(lines):
            key = for_langid(line)
            if key:
                index.setdefault(key, []).append(i)
        if not index:
            return codes, probs
        keys = list(index)
        labels, scores = self._model.predict(keys, k=1)
        for key, lab, sc in zip(keys, labels, scores):
            code = lab[0][_PREFIX:]
            code = _FOLD.get(code, code)
            p = min(float(sc[0]), 1.0)
            for i in index[key]:
                codes[i] = code
                probs[i] = p
        return codes, probs


def main_language(codes: Sequence[str], weights: Sequence[float]) -> str:
    """The page's main language: the code that covers most characters."""
    totals: dict[str, float] = {}
    for code, w in zip(codes, weights):
        if code != "und":
            totals[code] = totals.get(code, 0.0) + w
    if not totals:
        return "und"
    return max(sorted(totals), key=totals.__getitem__)
