"""Cut a page into the units langsplit labels: its non-blank lines.

A unit runs from the first to the last non-whitespace character of a line, so
that every non-whitespace character of the page lies in exactly one unit and
the whitespace between units belongs to none.  Line boundaries are the ones
``str.splitlines`` knows (``\\n``, ``\\r\\n``, ``\\r``, form feed, U+2028, ...),
because scraped text carries all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The same boundaries str.splitlines uses; \r\n first so it counts as one.
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"\r\n|[{_BREAKS}]")
# A non-blank line from its first non-space character to the end of the line.
_NONBLANK_LINE = re.compile(f"\\S[^{_BREAKS}]*")
# A run of non-whitespace-bounded text inside one line: from the first
# non-space character to the last one.  \S matches exactly the complement of
# str.isspace() for str patterns, which keeps this in step with str.strip().
_LINE_CONTENT = re.compile(r"\S(?:.*\S)?", re.DOTALL)


@dataclass(frozen=True)
class Line:
    """One non-blank line of a page: its stripped text and where it stands."""

    start: int
    end: int
    text: str
    blank_before: bool  # a blank line (or the page start) separates it from the previous line
    blank_after: bool


def split_lines(text: str) -> list[Line]:
    """Return the non-blank lines of ``text`` with their character offsets.

    >>> [(l.start, l.end, l.text) for l in split_lines("Title\\r\\n\\n  Body text. \\n")]
    [(0, 5, 'Title'), (10, 20, 'Body text.')]
    """
    raw: list[tuple[int, int]] = []  # (start, end) of each physical line, blank or not
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        raw.append((pos, m.start()))
        pos = m.end()
    raw.append((pos, len(text)))

    found: list[tuple[int, int, bool]] = []  # (start, end, blank_before)
    pending_blank = True  # the page start counts as a paragraph break
    for s, e in raw:
        m = _LINE_CONTENT.search(text, s, e)
        if m is None:
            pending_blank = True
        else:
            found.append((m.start(), m.end(), pending_blank))
            pending_blank = False
    # A line is followed by a break when the next one starts after a blank, or nothing follows.
    after = [b for _, _, b in found[1:]] + [True]
    return [Line(s, e, text[s:e], bb, ba) for (s, e, bb), ba in zip(found, after)]


def count_lines(text: str) -> int:
    """``len(split_lines(text))`` without making the lines: to refuse a page too big to split.

    >>> count_lines("Title\\r\\n\\n  Body text. \\n")
    2
    """
    return sum(1 for _ in _NONBLANK_LINE.finditer(text))
