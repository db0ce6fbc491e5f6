"""langsplit: split article text copied from news aggregators and sites into body, chrome and teasers.

>>> import langsplit
>>> spans = langsplit.classify(page_text)   # doctest: +SKIP
>>> article = langsplit.clean(page_text)    # doctest: +SKIP

Every non-whitespace character of the input lies in exactly one returned
span; ``clean`` keeps the body spans, one paragraph per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__version__ = "0.1.0"

from .model import ModelError  # noqa: E402
from .splitter import (DEFAULT_KEEP, MAX_CHARS, MAX_LINES, InputTooLarge, Span, Splitter,  # noqa: E402
                       default_splitter)

LABELS = ("body", "chrome", "teaser")

__all__ = ["Span", "Splitter", "ModelError", "InputTooLarge", "MAX_CHARS", "MAX_LINES", "LABELS", "classify",
           "classify_many", "clean", "read_labelled", "retrain", "__version__"]


def classify(text: str) -> list[Span]:
    """Label the lines of one page with the packaged model (loaded once, thread-safe)."""
    return default_splitter().classify(text)


def classify_many(texts: Iterable[str]) -> list[list[Span]]:
    """Label many pages in one batch with the packaged model."""
    return default_splitter().classify_many(texts)


def clean(text: str, keep: Sequence[str] = DEFAULT_KEEP) -> str:
    """The article of one page: the spans labelled as in ``keep``, one per line."""
    return default_splitter().clean(text, keep)


def read_labelled(paths: Iterable[str]) -> list[dict]:
    """Hand-labelled pages from ``langsplit label --tsv`` files (corrected) or gold JSONL files."""
    from .adapt import read_labelled as _read

    return _read(paths)


def retrain(pages: Sequence[dict], out_dir: str, base: str | None = None):
    """Teach a model the template of a few labelled pages; write it to ``out_dir``.

    Starts from ``base`` (default: the packaged model) and returns a
    ``langsplit.adapt.RetrainResult``, whose ``format()`` tells what was
    learned and the scores before and after.  See the README's "Teach it a
    new template".
    """
    from .adapt import retrain as _retrain

    return _retrain(pages, out_dir, base)
