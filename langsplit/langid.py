"""Language identification of lines with fastText's lid.176 model.

lid.176 is strong on sentences and weak on what aggregator furniture is made
of: ALL-CAPS buttons and one-to-three-word lines.  We feed it a lower-cased
copy of shouting lines, fold the Norwegian variants into one code, clip its
probabilities into [0, 1] (k>1 can return a hair above 1) and never ask it
twice about the same line of a call.  What comes out is a feature for the
classifier, not a verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .linefacts import distinct
from .textnorm import for_langid_many

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
        keys, ids = distinct(for_langid_many(list(lines)))
        answers = self._ask(keys)
        codes_of = [a[0] for a in answers]
        probs_of = np.array([a[1] for a in answers], dtype=np.float32)
        return [codes_of[i] for i in ids.tolist()], probs_of[ids]

    def _ask(self, keys: list[str]) -> list[tuple[str, float]]:
        """(code, probability) of each distinct normalised line; "" has no letters."""
        out = [("und", 0.0)] * len(keys)
        asked = [i for i, k in enumerate(keys) if k]
        if not asked:
            return out
        labels, scores = self._model.predict([keys[i] for i in asked], k=1)
        for i, lab, sc in zip(asked, labels, scores):
            code = lab[0][_PREFIX:]
            out[i] = (_FOLD.get(code, code), min(float(sc[0]), 1.0))
        return out


def main_language(codes: Sequence[str], weights: Sequence[float]) -> str:
    """The page's main language: the code that covers most characters."""
    totals: dict[str, float] = {}
    for code, w in zip(codes, weights):
        if code != "und":
            totals[code] = totals.get(code, 0.0) + w
    if not totals:
        return "und"
    return max(sorted(totals), key=totals.__getitem__)
