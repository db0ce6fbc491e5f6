"""Hand annotation of pages as TSV: one `label<TAB>text` row per non-blank line.

`langsplit label FILE --tsv > page.tsv` writes the rows pre-filled by the
model; a person corrects the labels in any editor; `read_tsv` turns the file
back into a labelled page in the gold format (``{"text", "lines": [{"start",
"end", "label"}]}``) for evaluation or retraining.  Blank rows and rows
starting with ``#`` are ignored.  The first comment names the page the rows
were made from, so that the labels can be checked against it line by line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .io import read_text
from .segment import split_lines
from .splitter import Span
from .textmodel import LABELS

SOURCE_PREFIX = "# source: "


class AnnotationError(ValueError):
    """A TSV row that cannot be used; the message names the file and row."""


def write_tsv(text: str, spans: Sequence[Span], source: str | None = None) -> str:
    """The TSV rows for a page and its spans (one row per span)."""
    rows = []
    if source:
        rows.append(f"{SOURCE_PREFIX}{source}")
    rows.append("# one row per line: label<TAB>text; labels: " + ", ".join(LABELS))
    rows += [f"{s.label}\t{text[s.start:s.end]}" for s in spans]
    return "\n".join(rows) + "\n"


def _rows(tsv: str, name: str) -> tuple[list[tuple[int, str, str]], str | None]:
    rows, source = [], None
    for number, raw in enumerate(tsv.splitlines(), start=1):
        if raw.startswith(SOURCE_PREFIX) and source is None:
            source = raw[len(SOURCE_PREFIX):].strip()
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        label, tab, line = raw.partition("\t")
        label = label.strip()
        if not tab:
            raise AnnotationError(f"{name}:{number}: no tab between label and text")
        if label not in LABELS:
            raise AnnotationError(f"{name}:{number}: unknown label {label!r}; use one of {', '.join(LABELS)}")
        rows.append((number, label, line.strip()))
    return rows, source


def read_tsv(tsv: str, page: str | None = None, name: str = "<tsv>") -> dict:
    """A labelled page from TSV rows.

    With ``page`` (the text the rows were made from) every row must match the
    page's next non-blank line, in order, and the page keeps its own layout.
    Without it, the page is rebuilt from the rows, one line each.
    """
    rows, _ = _rows(tsv, name)
    if page is None:
        page = "\n".join(line for _, _, line in rows)
    lines = split_lines(page)
    if len(rows) != len(lines):
        raise AnnotationError(f"{name}: {len(rows)} labelled rows, but the page has {len(lines)} non-blank lines")
    out = []
    for (number, label, text), line in zip(rows, lines):
        if text != line.text:
            raise AnnotationError(f"{name}:{number}: does not match the page's line {line.text[:60]!r}")
        out.append({"start": line.start, "end": line.end, "label": label})
    return {"id": name, "text": page, "lines": out, "coarse": False}


def read_tsv_file(path: str | Path, page_path: str | Path | None = None) -> dict:
    """Read an annotation file; the page is the one its ``# source:`` comment names, if it exists."""
    path = Path(path)
    tsv = read_text(path)
    if page_path is None:
        _, source = _rows(tsv, str(path))
        if source and (path.parent / source).is_file():
            page_path = path.parent / source
        elif source and Path(source).is_file():
            page_path = Path(source)
    page = read_text(page_path) if page_path else None
    return read_tsv(tsv, page, name=str(path))
