"""Splitter: label the lines of pages and return their article text."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .features import batch_matrix
from .langid import LanguageIdentifier
from .linefacts import LineFacts
from .model import ModelFiles, load_model
from .repetition import RepeatedLines
from .segment import count_lines, split_lines
from .textmodel import LABELS

DEFAULT_KEEP = ("body",)
# A page's memory grows by about 3 kB per line and 25 bytes per character (a page of a million
# short lines takes ~3 GB, one 50 MB line ~1.2 GB): bigger pages are refused before any work,
# rather than exhausting memory part-way. Splitter.load(max_chars=..., max_lines=...) changes them.
MAX_CHARS = 50_000_000
MAX_LINES = 1_000_000


class InputTooLarge(ValueError):
    """A page has more characters or non-blank lines than the Splitter's max_chars or max_lines."""


@dataclass(frozen=True)
class Span:
    """A labelled stretch of the input: ``text[start:end]``.

    label is "body", "chrome" or "teaser"; score is the model's probability
    of that label; lang is lid.176's ISO code for the span (nb/nn folded
    into "no", "und" when it has no letters) and lang_score its probability.
    """

    start: int
    end: int
    label: str
    score: float
    lang: str
    lang_score: float


def packaged_model_path() -> Path:
    """The folder of the model that ships inside the package."""
    return Path(str(resources.files("langsplit") / "models" / "default"))


def _lid_path() -> Path:
    return Path(str(resources.files("langsplit") / "resources" / "lid.176.ftz"))


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"langsplit works on str, got {type(text).__name__}; decode bytes first")
    return text


class Splitter:
    """A loaded model: classify pages into body, chrome and teaser spans.

    >>> splitter = Splitter.load()          # the packaged model
    >>> spans = splitter.classify("Headline\\n\\nFirst paragraph of the story.")
    """

    def __init__(self, model: ModelFiles, lid: LanguageIdentifier, n_threads: int = 1, *,
                 max_chars: int | None = MAX_CHARS, max_lines: int | None = MAX_LINES,
                 repeated: RepeatedLines | None = None):
        self.model = model
        self.lid = lid
        self.n_threads = n_threads
        self.max_chars = max_chars
        self.max_lines = max_lines
        self.repeated = repeated
        # Repeated furniture lines are asked of fastText once per worker, not once per batch.
        self._facts = LineFacts(lid, model.textmodel)

    @classmethod
    def load(cls, path: str | Path | None = None, *, n_threads: int = 1, max_chars: int | None = MAX_CHARS,
             max_lines: int | None = MAX_LINES) -> "Splitter":
        """Load the packaged model, or the model folder at ``path``.

        max_chars, max_lines: the largest page (characters, non-blank lines) to classify; a
        bigger one raises ``langsplit.InputTooLarge`` before any work. None: no limit.

        n_threads: ignored, kept so that existing calls still work.  The classifier
        used to run on OpenMP threads; it is plain numpy now, one thread per process.
        For more cores, run processes in parallel, as ``langsplit clean -j`` does.

        Raises ``langsplit.ModelError`` naming the file when the folder is
        missing, damaged or made by an incompatible version.
        """
        folder = packaged_model_path() if path is None else Path(path)
        return cls(load_model(folder), LanguageIdentifier(_lid_path()), n_threads, max_chars=max_chars,
                   max_lines=max_lines)

    def with_repeated(self, repeated: RepeatedLines | None) -> "Splitter":
        """The same model, which also never keeps as body a line of ``repeated``.

        ``repeated`` comes from ``langsplit.repetition.RepetitionCounter.repeated()``
        over the batch being cleaned (``langsplit clean --batch-stats``).
        """
        return self._derived(self.model, repeated)

    def _derived(self, model: ModelFiles, repeated: RepeatedLines | None) -> "Splitter":
        """A splitter sharing this one's language identifier and limits (no model is loaded again)."""
        derived = Splitter(model, self.lid, self.n_threads, max_chars=self.max_chars, max_lines=self.max_lines,
                           repeated=repeated)
        if model is self.model:  # same line models: their remembered answers hold
            derived._facts = self._facts
        return derived

    @property
    def metadata(self) -> dict:
        """The model folder's metadata (version, labels, training data)."""
        return self.model.metadata

    def classify(self, text: str) -> list[Span]:
        """Label every non-blank line of ``text``; spans are in order and cover all non-space text."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: Iterable[str]) -> list[list[Span]]:
        """Classify many pages at once (one batched call per model, much faster than a loop).

        Raises ``InputTooLarge`` (nothing classified) when one of them is over the limits.
        """
        texts = [_check_text(t) for t in texts]
        for k, text in enumerate(texts):
            self._check_size(text, "the page" if len(texts) == 1 else f"page {k} of the batch")
        pages = [split_lines(t) for t in texts]
        flat: list[str] = [l.text for lines in pages for l in lines]
        ptr = np.zeros(len(pages) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(lines) for lines in pages])
        if not flat:
            return [[] for _ in pages]

        codes, lang_probs, tm = self._facts(flat)
        X = batch_matrix(pages, [len(t) for t in texts], codes, lang_probs, tm)
        nonempty = np.concatenate([[0], np.cumsum([len(l) for l in pages if l])])
        P = self.model.classifier.predict_proba(X, nonempty)
        if self.model.memory is not None:
            P = self.model.memory.adjust(flat, P)
        if self.repeated is not None:
            P = self.repeated.adjust(flat, P)
        best = np.argmax(P, axis=1)
        # Python lists, not numpy scalars, in the loop that makes one object per line.
        labels = np.array(LABELS, dtype=object)[best].tolist()
        scores = P[np.arange(len(best)), best].astype(np.float64).tolist()
        codes = codes.tolist()
        lang_scores = lang_probs.astype(np.float64).tolist()
        out: list[list[Span]] = []
        for k, lines in enumerate(pages):
            a = int(ptr[k])
            out.append([Span(l.start, l.end, labels[i], scores[i], codes[i], lang_scores[i])
                        for i, l in enumerate(lines, a)])
        return out

    def _check_size(self, text: str, which: str) -> None:
        if self.max_chars is not None and len(text) > self.max_chars:
            raise InputTooLarge(f"{which} has {len(text):,} characters, more than max_chars={self.max_chars:,}; "
                                "split it, or load the Splitter with a larger max_chars (None: no limit)")
        # Counting lines is a pass over the text; pages too short to have that many skip it.
        if self.max_lines is not None and (len(text) + 1) // 2 > self.max_lines:
            n = count_lines(text)
            if n > self.max_lines:
                raise InputTooLarge(f"{which} has {n:,} non-blank lines, more than max_lines={self.max_lines:,}; "
                                    "split it, or load the Splitter with a larger max_lines (None: no limit)")

    def clean(self, text: str, keep: Sequence[str] = DEFAULT_KEEP) -> str:
        """The kept spans of ``text`` (the article body by default), one paragraph per line."""
        return join_spans(text, self.classify(text), keep)


def join_spans(text: str, spans: Sequence[Span], keep: Sequence[str] = DEFAULT_KEEP) -> str:
    """Join the spans whose label is in ``keep``, one per line."""
    bad = set(keep) - set(LABELS)
    if bad:
        raise ValueError(f"unknown label(s) {sorted(bad)}; choose from {list(LABELS)}")
    return "\n".join(text[s.start:s.end] for s in spans if s.label in keep)


_default: Splitter | None = None
_default_lock = threading.Lock()


def default_splitter() -> Splitter:
    """The packaged model, loaded once on first use (thread-safe)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Splitter.load()
    return _default
