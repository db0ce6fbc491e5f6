"""Answers of the line models for lines seen before.

Furniture repeats across the pages of a site ("Log in", the menu, the paywall prompt),
so a batch worker asks fastText about the same normalised lines again and again.  The
models are deterministic, so a remembered answer is the answer.  Only short lines are
kept (long ones are prose and rarely repeat), and the store is emptied when full, which
bounds its memory without the bookkeeping of an LRU.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

MAX_KEY_CHARS = 160
MAX_ENTRIES = 100_000


def distinct(keys: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The distinct keys in order of first appearance, and each key's index among them."""
    ids_of: dict[str, int] = {}
    ids = np.fromiter((ids_of.setdefault(k, len(ids_of)) for k in keys), dtype=np.int64, count=len(keys))
    return list(ids_of), ids


class LineCache:
    """A bounded map from normalised line to one model's answer (thread-safe enough: see get_many)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_key_chars: int = MAX_KEY_CHARS):
        self.max_entries = max_entries
        self.max_key_chars = max_key_chars
        self._store: dict[str, object] = {}

    def __len__(self) -> int:
        return len(self._store)

    def get_many(self, keys: list[str], compute: Callable[[list[str]], list]) -> list:
        """The answers for distinct keys: remembered ones, the rest from compute(missing keys).

        Single dict reads and writes are atomic in CPython, and a value, once stored, is
        the deterministic answer: threads sharing a cache can at worst compute twice.
        """
        store = self._store
        out = [store.get(k) for k in keys]
        missing = [i for i, v in enumerate(out) if v is None]
        if missing:
            fresh = compute([keys[i] for i in missing])
            if len(store) + len(missing) > self.max_entries:
                store.clear()
            for i, v in zip(missing, fresh):
                out[i] = v
                if len(keys[i]) <= self.max_key_chars:
                    store[keys[i]] = v
        return out
