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

# The boundaries str.splitlines uses, for count_lines.
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# A non-blank line from its first non-space character to the end of the line.
_NONBLANK_LINE = re.compile(f"\\S[^{_BREAKS}]*")


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
    found: list[tuple[int, str, bool]] = []  # (start, stripped text, blank_before)
    pending_blank = True  # the page start counts as a paragraph break
    pos = 0
    # str.splitlines knows every break (\r\n as one); str.strip strips what regex \s matches,
    # line breaks included.  Both run in C: several times faster than a regex loop.
    for physical in text.splitlines(True):
        stripped = physical.strip()
        if stripped:
            found.append((pos + len(physical) - len(physical.lstrip()), stripped, pending_blank))
            pending_blank = False
        else:
            pending_blank = True
        pos += len(physical)
    # A line is followed by a break when the next one starts after a blank, or nothing follows.
    after = [b for _, _, b in found[1:]] + [True]
    return [Line(s, s + len(t), t, bb, ba) for (s, t, bb), ba in zip(found, after)]


def count_lines(text: str) -> int:
    """``len(split_lines(text))`` without making the lines: to refuse a page too big to split.

    >>> count_lines("Title\\r\\n\\n  Body text. \\n")
    2
    """
    return sum(1 for _ in _NONBLANK_LINE.finditer(text))
