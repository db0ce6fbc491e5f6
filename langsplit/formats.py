"""Output formats of a labelled page: the clean text, a JSON record, a labelled view."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from .splitter import DEFAULT_KEEP, Span, join_spans

FORMATS = ("text", "jsonl", "spans")

# Scores are rounded so that records stay short; the rounding is the same on every run.
_DIGITS = 4


def span_dict(span: Span) -> dict:
    """A span as a JSON-ready dict (scores rounded to 4 decimals)."""
    return {"start": span.start, "end": span.end, "label": span.label, "score": round(span.score, _DIGITS),
            "lang": span.lang, "lang_score": round(span.lang_score, _DIGITS)}


def render_text(text: str, spans: Sequence[Span], keep: Sequence[str] = DEFAULT_KEEP) -> str:
    """The kept spans, one per line, with a final newline; ``""`` when nothing is kept."""
    article = join_spans(text, spans, keep)
    return article + "\n" if article else ""


def render_record(base: dict, text: str, spans: Sequence[Span], keep: Sequence[str] = DEFAULT_KEEP,
                  with_spans: bool = True) -> str:
    """One JSONL line: ``base``'s fields, then ``clean`` (the kept text) and ``spans``.

    ``clean`` and ``spans`` replace fields of those names in ``base``.
    """
    rec = dict(base)
    rec["clean"] = join_spans(text, spans, keep)
    if with_spans:
        rec["spans"] = [span_dict(s) for s in spans]
    else:
        rec.pop("spans", None)
    return json.dumps(rec, ensure_ascii=False) + "\n"


def span_line(text: str, span: Span, style: Callable[[str, str], str] | None = None) -> str:
    """A labelled line: label, score, language, its score and the span's text.

    ``style(tag, label)`` may decorate the label column (the CLI colours it on a terminal).
    """
    tag = f"{span.label:<6}"
    if style is not None:
        tag = style(tag, span.label)
    return f"{tag} {span.score:.2f} {span.lang:<3} {span.lang_score:.2f}  {text[span.start:span.end]}"


def render_spans(text: str, spans: Sequence[Span]) -> str:
    """Every span as a labelled line (see ``span_line``), one per line."""
    return "".join(span_line(text, s) + "\n" for s in spans)


def render(fmt: str, text: str, spans: Sequence[Span], keep: Sequence[str], base: dict) -> str:
    """The output of one page in format ``fmt`` (one of ``FORMATS``)."""
    if fmt == "text":
        return render_text(text, spans, keep)
    if fmt == "spans":
        return render_spans(text, spans)
    if fmt == "jsonl":
        return render_record(base, text, spans, keep)
    raise ValueError(f"unknown format {fmt!r}; choose from {list(FORMATS)}")
