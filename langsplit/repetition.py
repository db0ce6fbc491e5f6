"""Lines that repeat across the documents of a batch: templates seen from above.

One page alone cannot tell its furniture from its article when the furniture
is well written.  A batch can: the same sentence on a hundred pages about a
hundred different stories is the site's, not the story's.  This module
counts, in bounded memory, in how many documents each line occurs (under its
template key: case, spacing, punctuation, numbers and month/day names
folded, see ``textnorm.template_key``), and turns the result into

- a list for people (``langsplit discover``): the lines that repeat most, to
  spot a new template and annotate it;
- a rule for the classifier (``langsplit clean --batch-stats``): a line that
  recurs in many documents with different articles is not body, whatever
  the model thinks of it alone.

"With different articles" matters: a wire story republished by fifty sites
repeats every one of its paragraphs.  Each document gets a signature made of
its three longest lines; a line counts as furniture only when the documents
it occurs in have enough distinct signatures.  Copies of one article share
their longest paragraphs and so their signature.  (A template whose three
longest lines are all furniture gives every page the same signature; its
lines are then left to the model.)

Memory: lossy counting (Manku and Motwani, 2002) over (document, line)
pairs keeps at most about ``capacity * log(pairs / capacity)`` entries, and
never misses a line that occurs in more than one pair in ``capacity``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .segment import split_lines
from .textmodel import LABELS
from .textnorm import template_key

DEFAULT_CAPACITY = 100_000
DEFAULT_MIN_DOCS = 10
# Distinct article signatures remembered per line; enough to tell "one story copied" from "many".
_SIGNATURE_CAP = 32


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def document_keys(text: str) -> tuple[set[str], dict[str, str], int]:
    """The distinct template keys of a document's lines, an example line of each, and its signature."""
    keys: dict[str, str] = {}
    for line in split_lines(text):
        key = template_key(line.text)
        if key and key not in keys:
            keys[key] = line.text
    longest = sorted(keys, key=lambda k: (-len(k), k))[:3]
    return set(keys), keys, _hash("\x00".join(sorted(longest)))


class _Entry:
    # Most lines occur once: their entry holds one signature and no set, to keep the table small.
    __slots__ = ("docs", "delta", "first", "more", "example")

    def __init__(self, delta: int, example: str, signature: int):
        self.docs = 0
        self.delta = delta
        self.first = signature
        self.more: set[int] | None = None
        self.example = example

    def add_signature(self, signature: int) -> None:
        if signature == self.first:
            return
        if self.more is None:
            self.more = set()
        if len(self.more) < _SIGNATURE_CAP - 1:
            self.more.add(signature)

    @property
    def articles(self) -> int:
        return 1 + (len(self.more) if self.more else 0)


@dataclass(frozen=True)
class RepeatedLine:
    """A line that repeats across documents: its key, an example, and in how many documents."""

    key: str
    example: str
    docs: int
    articles: int  # distinct article signatures among those documents (capped)


class RepetitionCounter:
    """In how many documents each template line occurs, in bounded memory.

    >>> counter = RepetitionCounter()
    >>> for text in pages:                       # doctest: +SKIP
    ...     counter.add(text)
    >>> repeated = counter.repeated(min_docs=10)  # doctest: +SKIP
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.documents = 0
        self._pairs = 0
        self._bucket = 1
        self._table: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._table)

    def add(self, text: str) -> None:
        """Count the lines of one document."""
        keys, examples, signature = document_keys(text)
        self.documents += 1
        table = self._table
        for key in sorted(keys):
            entry = table.get(key)
            if entry is None:
                entry = table[key] = _Entry(self._bucket - 1, examples[key][:300], signature)
            else:
                entry.add_signature(signature)
            entry.docs += 1
            self._pairs += 1
            if self._pairs % self.capacity == 0:
                self._prune()

    def _prune(self) -> None:
        # Lossy counting: at the end of each bucket of `capacity` pairs, forget the
        # lines that have not occurred more often than the buckets they could have missed.
        bucket = self._bucket
        self._table = {k: e for k, e in self._table.items() if e.docs + e.delta > bucket}
        self._bucket += 1

    def lines(self, min_docs: int = DEFAULT_MIN_DOCS) -> list[RepeatedLine]:
        """Lines in at least ``min_docs`` documents, most frequent first."""
        out = [RepeatedLine(k, e.example, e.docs, e.articles)
               for k, e in self._table.items() if e.docs >= min_docs]
        return sorted(out, key=lambda r: (-r.docs, r.key))

    def repeated(self, min_docs: int = DEFAULT_MIN_DOCS, min_articles: int | None = None) -> "RepeatedLines":
        """The rule for cleaning: lines in at least ``min_docs`` documents about at least
        ``min_articles`` (default ``min_docs``, at most 32) different articles."""
        need = min(min_articles if min_articles is not None else min_docs, _SIGNATURE_CAP)
        return RepeatedLines(frozenset(r.key for r in self.lines(min_docs) if r.articles >= need))


@dataclass(frozen=True)
class RepeatedLines:
    """Template keys of lines known to repeat across a batch; such lines are never body."""

    keys: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self.keys)

    def mask(self, lines: Sequence[str]) -> np.ndarray:
        """Which of ``lines`` are repeated lines."""
        if not self.keys:
            return np.zeros(len(lines), dtype=bool)
        return np.array([template_key(line) in self.keys for line in lines], dtype=bool)

    def adjust(self, lines: Sequence[str], proba: np.ndarray) -> np.ndarray:
        """Probabilities in which repeated lines the classifier took for body become chrome.

        Chrome rather than teaser: furniture written well enough to pass for
        article text is what this rule exists for, while a recurring teaser
        headline already looks like one to the classifier.  The line's new
        score is the share of chrome in what was not body.
        """
        hit = self.mask(lines)
        body, chrome = LABELS.index("body"), LABELS.index("chrome")
        hit &= proba.argmax(axis=1) == body
        if not hit.any():
            return proba
        out = proba.copy()
        rows = out[hit]
        rest = rows.sum(axis=1) - rows[:, body]
        share = np.where(rest > 0, rows[:, chrome] / np.maximum(rest, 1e-12), 1.0)
        new = np.zeros_like(rows)
        # Chrome must win the argmax: it takes at least half, the rest stays with teaser.
        new[:, chrome] = np.maximum(share, 0.5)
        new[:, LABELS.index("teaser")] = 1.0 - new[:, chrome]
        out[hit] = new
        return out


def count(texts: Iterable[str], capacity: int = DEFAULT_CAPACITY) -> RepetitionCounter:
    """A counter over ``texts`` (one pass)."""
    counter = RepetitionCounter(capacity)
    for text in texts:
        counter.add(text)
    return counter


def bound(capacity: int, pairs: int) -> int:
    """The most entries lossy counting may hold after ``pairs`` (document, line) pairs."""
    return int(capacity * max(1.0, math.log(max(pairs / capacity, 1.0)) + 1))
