"""Template memory: the lines of a few hand-labelled pages, recognised again on new pages.

When an aggregator changes its template, the new furniture is the same text
on every page, give or take a date, a number or the outlet's name.  A person
labels two or three pages (``langsplit label page.txt --tsv``); the memory
keeps their lines under a normalised key (``textnorm.template_tokens``) and,
on a new page, pulls the classifier's probabilities of a line towards the
label the person gave the same line, or a nearly identical one, elsewhere.

What it keeps, and why:

- chrome lines, matched exactly or fuzzily (share of common words), because
  furniture is the part of a page that repeats with small changes;
- body lines only where the model was wrong (a byline or caption format the
  template has and the model took for furniture);
- no teasers: other articles' headlines change every day, and a headline
  remembered as a teaser turned the same article's own headline into a
  teaser on its own page (seen in our tests).  What makes a teaser is where
  it stands, which the classifier judges.

The memory is plain JSON in the model folder (``memory.json``); nothing in it
is executed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .textmodel import LABELS
from .textnorm import template_tokens

MEMORY_FILE = "memory.json"
MEMORY_VERSION = 1

# A remembered line outweighs the classifier unless the classifier is almost certain.
DEFAULT_STRENGTH = 0.9
# Fuzzy matches need enough words that sharing most of them means the same sentence.
MIN_FUZZY_TOKENS = 4
DEFAULT_MIN_SIMILARITY = 0.6


@dataclass
class _Entry:
    tokens: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    fuzzy: bool = True
    example: str = ""

    def distribution(self) -> np.ndarray:
        total = sum(self.counts.values())
        return np.array([self.counts.get(lab, 0) / total for lab in LABELS], dtype=np.float32)


class TemplateMemory:
    """Remembered lines and their labels; see the module docstring.

    >>> memory = TemplateMemory()
    >>> memory.add("Read the full story in the app, free for 30 days.", "chrome")
    >>> weight, dist = memory.match(["Read the full story in our app, free for 14 days."])
    >>> float(weight[0]) > 0, LABELS[int(dist[0].argmax())]
    (True, 'chrome')
    """

    def __init__(self, strength: float = DEFAULT_STRENGTH, min_similarity: float = DEFAULT_MIN_SIMILARITY):
        if not 0 <= strength <= 1 or not 0 < min_similarity <= 1:
            raise ValueError("strength must be in [0, 1] and min_similarity in (0, 1]")
        self.strength = strength
        self.min_similarity = min_similarity
        self._entries: dict[str, _Entry] = {}
        self._index: dict[str, set[str]] | None = None  # token -> keys of fuzzy entries

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, line: str, label: str, fuzzy: bool = True, count: int = 1) -> bool:
        """Remember ``line`` with ``label``; False when the line has no words to remember it by."""
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}; choose from {list(LABELS)}")
        tokens = tuple(template_tokens(line))
        if not tokens:
            return False
        key = " ".join(tokens)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(tokens, example=line[:200])
        entry.counts[label] = entry.counts.get(label, 0) + count
        entry.fuzzy = entry.fuzzy and fuzzy  # a line remembered exactly once stays exact
        self._index = None
        return True

    def add_page(self, lines: Sequence[str], labels: Sequence[str], predicted: Sequence[str]) -> dict[str, int]:
        """Remember what a labelled page teaches: its chrome, and the body lines the model missed.

        predicted: the labels the current model gives the same lines.
        Returns the number of lines remembered per label.
        """
        added = {lab: 0 for lab in LABELS}
        for line, gold, guess in zip(lines, labels, predicted):
            if gold == "chrome" or (gold == "body" and guess != "body"):
                if self.add(line, gold):
                    added[gold] += 1
        return added

    def merge(self, other: "TemplateMemory") -> None:
        """Take in every line another memory holds (a base model's, say)."""
        for key, e in other._entries.items():
            for lab, n in e.counts.items():
                mine = self._entries.setdefault(key, _Entry(e.tokens, example=e.example))
                mine.counts[lab] = mine.counts.get(lab, 0) + n
                mine.fuzzy = mine.fuzzy and e.fuzzy
        self._index = None

    def _fuzzy_index(self) -> dict[str, set[str]]:
        if self._index is None:
            index: dict[str, set[str]] = {}
            for key, e in self._entries.items():
                if e.fuzzy and len(e.tokens) >= MIN_FUZZY_TOKENS:
                    for tok in set(e.tokens):
                        index.setdefault(tok, set()).add(key)
            self._index = index
        return self._index

    def _best_fuzzy(self, tokens: list[str]) -> tuple[float, str | None]:
        index = self._fuzzy_index()
        words = set(tokens)
        # A set sharing a Jaccard share t with ours must hold one of our rarest
        # len - ceil(t * len) + 1 words (prefix filtering): look only there.
        ranked = sorted(words, key=lambda w: (len(index.get(w, ())), w))
        prefix = len(ranked) - math.ceil(self.min_similarity * len(ranked)) + 1
        candidates: set[str] = set()
        for w in ranked[:prefix]:
            candidates |= index.get(w, set())
        best, best_key = 0.0, None
        for key in sorted(candidates):
            other = set(self._entries[key].tokens)
            sim = len(words & other) / len(words | other)
            if sim > best:
                best, best_key = sim, key
        if best < self.min_similarity:
            return 0.0, None
        return best, best_key

    def match(self, lines: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each line, how strongly the memory speaks (0: not at all) and for which labels."""
        weight = np.zeros(len(lines), dtype=np.float32)
        dist = np.zeros((len(lines), len(LABELS)), dtype=np.float32)
        if not self._entries:
            return weight, dist
        seen: dict[str, tuple[float, str | None]] = {}
        for i, line in enumerate(lines):
            tokens = template_tokens(line)
            if not tokens:
                continue
            key = " ".join(tokens)
            if key not in seen:
                if key in self._entries:
                    seen[key] = (1.0, key)
                elif len(tokens) >= MIN_FUZZY_TOKENS:
                    seen[key] = self._best_fuzzy(tokens)
                else:
                    seen[key] = (0.0, None)
            sim, found = seen[key]
            if found is not None:
                weight[i] = self.strength * sim
                dist[i] = self._entries[found].distribution()
        return weight, dist

    def adjust(self, lines: Sequence[str], proba: np.ndarray) -> np.ndarray:
        """The classifier's probabilities pulled towards what the memory remembers of each line."""
        weight, dist = self.match(lines)
        if not weight.any():
            return proba
        w = weight[:, None]
        return ((1 - w) * proba + w * dist).astype(np.float32)

    def label_counts(self) -> dict[str, int]:
        """How many remembered lines carry each label (by majority)."""
        out = {lab: 0 for lab in LABELS}
        for e in self._entries.values():
            out[max(sorted(e.counts), key=e.counts.__getitem__)] += 1
        return out

    # ---- persistence: plain JSON, never code -----------------------------------------------

    def to_json(self) -> str:
        entries = [{"tokens": list(e.tokens), "counts": e.counts, "fuzzy": e.fuzzy, "example": e.example}
                   for _, e in sorted(self._entries.items())]
        return json.dumps({"memory_version": MEMORY_VERSION, "strength": self.strength,
                           "min_similarity": self.min_similarity, "entries": entries},
                          ensure_ascii=False, indent=0) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "TemplateMemory":
        """Read a memory written by ``to_json``; ValueError when it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("memory_version") != MEMORY_VERSION:
            raise ValueError(f"not a langsplit template memory (version {MEMORY_VERSION})")
        memory = cls(float(data["strength"]), float(data["min_similarity"]))
        for e in data["entries"]:
            tokens = tuple(str(t) for t in e["tokens"])
            counts = {str(k): int(v) for k, v in e["counts"].items()}
            if not tokens or not counts or set(counts) - set(LABELS) or min(counts.values()) < 1:
                raise ValueError(f"bad memory entry {e!r:.80}")
            memory._entries[" ".join(tokens)] = _Entry(tokens, counts, bool(e.get("fuzzy", True)),
                                                       str(e.get("example", "")))
        return memory

    @classmethod
    def from_lines(cls, items: Iterable[tuple[str, str]], **kwargs) -> "TemplateMemory":
        """A memory of (line, label) pairs, every one matched exactly and fuzzily."""
        memory = cls(**kwargs)
        for line, label in items:
            memory.add(line, label)
        return memory
