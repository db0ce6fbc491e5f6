"""What the two line models say of each line of a batch, each distinct line asked once.

Both models read a normalised copy of the line, and normalising costs more than
fastText itself: so repeated lines are found on the raw text, before any
normalising, and only the distinct ones go on.  Furniture also repeats across
batches ("Log in", the menu, the paywall prompt), so the answers for short
lines are remembered too, in flat numpy arrays: a remembered line costs one
dict lookup and no Python object of its own.  Long lines are prose and rarely
repeat; they are not kept.  The store is emptied when full, which bounds its
memory without the bookkeeping of an LRU.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

MAX_KEY_CHARS = 160
MAX_ENTRIES = 100_000


def distinct(keys: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct keys in order of first appearance, and each key's index among them."""
    # dict.fromkeys and map run in C; only the distinct keys pass through a Python loop.
    first = list(dict.fromkeys(keys))
    index = {k: i for i, k in enumerate(first)}
    return first, np.fromiter(map(index.__getitem__, keys), dtype=np.int64, count=len(keys))


class LineFacts:
    """Language (lid.176) and line-text probabilities of lines, with a bounded memory."""

    def __init__(self, lid, textmodel, max_entries: int = MAX_ENTRIES, max_key_chars: int = MAX_KEY_CHARS):
        self.lid = lid
        self.textmodel = textmodel
        self.max_entries = max_entries
        self.max_key_chars = max_key_chars
        self._lock = threading.Lock()
        self._codes: list[str] = []  # language codes seen, indexed by the stored code ids
        self._code_id: dict[str, int] = {}
        self._row: dict[str, int] = {}  # raw line -> row of the arrays below
        self._used = 0  # rows of the arrays written since the last emptying
        self._lang = np.zeros(max_entries, dtype=np.int32)
        self._prob = np.zeros(max_entries, dtype=np.float32)
        self._tm = np.zeros((max_entries, 3), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._row)

    def __call__(self, lines: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(codes, lang_probs, tm_probs) of each line: an object array of lid.176 codes
        (see ``LanguageIdentifier.predict``), their probabilities (float32) and the
        line-text model's (body, chrome, teaser) rows (float32)."""
        keys, ids = distinct(lines)
        with self._lock:
            get = self._row.get
            rows = np.fromiter((get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
            hit = rows >= 0
            lang = np.where(hit, self._lang[np.maximum(rows, 0)], 0).astype(np.int32)
            prob = np.where(hit, self._prob[np.maximum(rows, 0)], 0).astype(np.float32)
            tm = np.where(hit[:, None], self._tm[np.maximum(rows, 0)], 0).astype(np.float32)
        missing = np.flatnonzero(~hit)
        if len(missing):
            asked = [keys[i] for i in missing.tolist()]
            codes, probs = self.lid.predict(asked)
            with self._lock:
                code_ids = np.array([self._code_id_of(c) for c in codes], dtype=np.int32)
            lang[missing] = code_ids
            prob[missing] = probs
            tm[missing] = self.textmodel.predict_proba(asked)
            self._remember(asked, code_ids, prob[missing], tm[missing])
        with self._lock:
            names = np.array(self._codes, dtype=object)
        return names[lang][ids], prob[ids], tm[ids]

    def _code_id_of(self, code: str) -> int:
        i = self._code_id.get(code)
        if i is None:
            i = self._code_id[code] = len(self._codes)
            self._codes.append(code)
        return i

    def _remember(self, keys: list[str], lang: np.ndarray, prob: np.ndarray, tm: np.ndarray) -> None:
        keep = [i for i, k in enumerate(keys) if len(k) <= self.max_key_chars]
        if not keep:
            return
        with self._lock:
            if self._used + len(keep) > self.max_entries:
                self._row.clear()
                self._used = 0
            keep = keep[:self.max_entries]
            at = np.arange(self._used, self._used + len(keep))
            self._used += len(keep)
            self._lang[at] = lang[keep]
            self._prob[at] = prob[keep]
            self._tm[at] = tm[keep]
            for r, i in zip(at.tolist(), keep):
                self._row.setdefault(keys[i], r)
