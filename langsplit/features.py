"""Features of the lines of one page, for the page-level classifier.

A line alone is ambiguous (a teaser headline reads like the article's own
headline; "Log in" is furniture in every language), so every line is
described together with its page: its language against the page's main
language, where it stands, whether it repeats, and the same facts of its
neighbours.  The second pass adds the first pass's beliefs about the
neighbourhood, because furniture and teasers come in runs and the article
is mostly one block.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import count

import numpy as np

from . import speedups
from .langid import main_language
from .segment import Line
from .textnorm import ALNUM, ALPHA, DECIMAL, DIGIT, SPACE, UPPER, LOWER, caps_ratio, caps_ratios, char_flags, code_points, joined, repetition_keys, segment_counts

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_DATE = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d\d-\d\d\b|\b\d{1,2}:\d\d\b")
_READ_TIME = re.compile(
    r"\d+\s*(?:min|mins|minutes?|minuten|minutter|minuter|minuti|minutos|minuty|minut|perc|"
    r"dakika|dk|мин|хв|分|분|دقائق|دقيقة|λεπτ)",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{[A-Za-z_]+\}|%[A-Za-z_]+%|\[\[.*?\]\]")
_URL = re.compile(r"https?://|www\.|\w\.(?:com|org|net|co\.uk|de|no|fr)\b|\w@\w")
_SENTENCE_END = set(".!?。！？…")
_CLOSERS = set("\"'”’»)]」』")
_SEPARATORS = set("|·•-–—/>»:")

BASE_NAMES = [
    "tm_body", "tm_chrome", "tm_teaser",
    "lang_score", "lang_is_main", "lang_mismatch_conf", "lang_und",
    "log_chars", "log_words", "ends_sentence", "ends_colon", "ends_separator",
    "caps_ratio", "all_caps", "title_word_ratio", "digit_ratio",
    "has_year", "has_date", "has_read_time", "has_placeholder", "has_url", "has_copyright",
    "punct_ratio", "mean_word_len",
    "log_repeats", "seen_before", "seen_after", "repeat_nearby",
    "rel_index", "rel_char_pos", "log_index", "log_index_from_end",
    "blank_before", "blank_after", "log_page_lines", "page_main_share",
    "short_line", "has_pipe", "rel_length",
    "overlap_long", "overlap_strength",
]
_NEIGHBOUR_COLS = [
    "tm_body", "tm_chrome", "tm_teaser", "log_chars", "ends_sentence", "lang_is_main",
    "lang_mismatch_conf", "caps_ratio", "blank_before", "rel_length", "has_read_time",
    "overlap_long",
]
_NEIGHBOUR_IDX = [BASE_NAMES.index(c) for c in _NEIGHBOUR_COLS]
NEIGHBOUR_OFFSETS = (-3, -2, -1, 1, 2, 3)
CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
N_LABELS = 3


_MIN_WORD = 4
_WORD = re.compile(r"\w{%d,}" % _MIN_WORD)
_LONG_LINE = 100  # characters: a line this long is prose, the article's or a blurb's
_MAX_WORDS = 60


# ---- pages stacked in one array ----------------------------------------------------------------
#
# A batch holds the rows of several pages one after another; ptr gives where each starts, like a
# CSR index pointer (page k is rows ptr[k]:ptr[k+1], and no page is empty).  Per-page numpy calls
# on ~30 rows cost more in call overhead than in arithmetic, so every per-page quantity below is
# computed for all pages at once, in the same order of floating-point operations as for a page
# alone: the model was trained on the one-page values, bit for bit.


def _layout(ptr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's page, its index within the page and its page's row count."""
    sizes = np.diff(ptr)
    page = np.repeat(np.arange(len(sizes)), sizes)
    local = np.arange(int(ptr[-1])) - ptr[page]
    return page, local, sizes[page]


def _shifted(M: np.ndarray, ptr: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of M moved by offset within their page (row i gets row i+offset), zero-filled, and a
    presence flag."""
    page, local, size = _layout(ptr)
    there = (local + offset >= 0) & (local + offset < size)
    out = np.zeros_like(M)
    present = np.zeros((M.shape[0], 1), dtype=M.dtype)
    rows = np.flatnonzero(there)
    out[rows] = M[rows + offset]
    present[rows] = 1
    return out, present


def _segment_accumulate(op: np.ufunc, x: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """op.accumulate down each page's rows, restarting at each page.

    A running sum over the whole batch would round differently from one starting at the
    page's first row, so pages of similar length are laid side by side in a zero-padded
    array (at most twice their length) and accumulated along it: each value sees exactly
    the additions it saw on its page alone.
    """
    sizes = np.diff(ptr)
    page, local, _ = _layout(ptr)
    out = np.empty_like(x)
    size_class = np.ceil(np.log2(sizes)).astype(np.int64)
    row_class = size_class[page]
    for c in np.unique(size_class).tolist():
        pages = np.flatnonzero(size_class == c)
        rows = np.flatnonzero(row_class == c)
        slot = np.searchsorted(pages, page[rows])
        padded = np.zeros((len(pages), int(sizes[pages].max())) + x.shape[1:], dtype=x.dtype)
        padded[slot, local[rows]] = x[rows]
        out[rows] = op.accumulate(padded, axis=1)[slot, local[rows]]
    return out


def _segment_sums(x: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """x[s:s+n].sum() for each (s, n), n > 0, with ndarray.sum's rounding.

    ndarray.sum adds in pairs (pairwise summation, shaped by the length), and
    np.add.reduceat does not; a row of a 2-d array sums like the 1-d array, so the
    segments of each length are gathered into rows and summed together.
    """
    out = np.empty(len(starts), dtype=x.dtype)
    for n in np.unique(lengths).tolist():
        which = np.flatnonzero(lengths == n)
        out[which] = x[starts[which, None] + np.arange(n)].sum(axis=1)
    return out


def _log1p_ints(values: np.ndarray) -> np.ndarray:
    """math.log1p of each integer (the one-page code used math, which can differ from np.log1p)."""
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([math.log1p(v) for v in distinct.tolist()], dtype=np.float64)[inverse.ravel()]


def _line_words(keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(line, word id) of the first _MAX_WORDS words (_WORD matches) of each line; the ids
    number the distinct words.

    Read from the code points of the joined lines, ~2x faster than a findall and a dict of
    the words: regex \\w is str.isalnum() or "_", so a word is a run of such characters at
    least _MIN_WORD long.
    """
    text = joined(keys)
    if text is None:  # "\n" is no word character: a line holding one has the same words around a space
        text = "\n".join(k.replace("\n", " ") for k in keys)
    cps = code_points(text)
    is_word = (char_flags(cps) & ALNUM != 0) | (cps == ord("_"))
    edges = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    lengths = np.flatnonzero(edges == -1) - starts
    starts, lengths = starts[lengths >= _MIN_WORD], lengths[lengths >= _MIN_WORD]
    line = np.searchsorted(np.flatnonzero(cps == ord("\n")), starts)
    rank = np.arange(len(starts)) - np.searchsorted(line, line)  # the word's place in its line
    keep = rank < _MAX_WORDS
    return line[keep], _word_ids(cps, starts[keep], lengths[keep])


def _word_ids(cps: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Ids of the words cps[s:s+n], equal iff the words are.

    Each word's code points, ranked among those the words use (from 1), are packed a few to
    an int64; a word becomes a row of such integers, 0-padded (so that no two words share
    a row), and equal rows are found by sorting.
    """
    ids = np.zeros(len(starts), dtype=np.int64)
    if not len(starts):
        return ids
    if speedups.available():  # a hash table of the words in C: other numbers, the same partition
        speedups.compiled.word_ids(np.ascontiguousarray(cps, dtype=np.uint32), starts.astype(np.int64),
                                   lengths.astype(np.int64), ids)
        return ids
    offsets = np.cumsum(lengths) - lengths  # of each word in the words' characters put end to end
    chars = cps[np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))]
    used = np.bincount(chars) > 0
    ranks = (np.cumsum(used) * used)[chars]
    bits = int(ranks.max()).bit_length()
    per = 63 // bits  # characters per int64
    n_cols = -(-lengths // per)
    next_id = 0
    for cols in np.unique(n_cols).tolist():
        which = np.flatnonzero(n_cols == cols)
        pos = np.arange(cols * per)
        at = np.minimum(offsets[which, None] + pos, len(chars) - 1)
        padded = np.where(pos < lengths[which, None], ranks[at], 0)
        rows = (padded.reshape(len(which), cols, per) << (bits * np.arange(per))).sum(axis=2)
        group = _equal_rows(rows)
        ids[which] = group + next_id
        next_id += int(group.max()) + 1
    return ids


def _equal_rows(rows: np.ndarray) -> np.ndarray:
    """Group ids of the rows of a 2-d int64 array, equal iff the rows are."""
    if rows.shape[1] > 4:  # long words, few of them: a sort by whole rows, not one pass a column
        as_bytes = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.itemsize * rows.shape[1])))
        return np.unique(as_bytes.ravel(), return_inverse=True)[1].ravel()
    order = np.lexsort(rows.T[::-1])
    srt = rows[order]
    new = np.ones(len(rows), dtype=bool)
    new[1:] = np.any(srt[1:] != srt[:-1], axis=1)
    group = np.empty(len(rows), dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    return group


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique(values) by a sort (np.unique hashes, slower on a million int64)."""
    out = np.sort(values)
    keep = np.ones(len(out), dtype=bool)
    keep[1:] = out[1:] != out[:-1]
    return out[keep]


def _distinct_ids(values: list) -> np.ndarray:
    ids_of: dict = {}
    return np.fromiter(map(ids_of.setdefault, values, count()), dtype=np.int64, count=len(values))


def _overlap(texts: Sequence[str], ptr: np.ndarray, window: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """How much each line's words recur in its page's other, distant long lines.

    The article's headline, standfirst and paragraphs share their names and
    topic words with paragraphs all over the article; a teaser shares them at
    most with its own blurb next to it, and furniture with nothing.  Lines
    within ``window`` of the line, and copies of it, do not count.  Returns
    the share of a line's distinct words found there and the mean of their
    counts capped at 5; a copy is a line of the same lower-cased text, and each
    distinct long line counts once.
    """
    n = len(texts)
    page, local, size = _layout(ptr)
    text = joined(texts)  # lower-cased at once: "\n" ends a word for the final-sigma rule as a line's end does
    keys = [t.lower() for t in texts] if text is None else text.lower().split("\n")
    # Line ids per (page, lower-cased text): the lines that are copies of each other.
    copy_id = np.unique(page * n + _distinct_ids(keys), return_inverse=True)[1].ravel()
    is_long = np.array([len(t) >= _LONG_LINE for t in texts], dtype=bool)
    long_copy = np.bincount(copy_id, weights=is_long, minlength=n) > 0  # one of the copies is long
    # Copies share their words: the first of each set of copies stands for them all.
    first_copy = np.unique(copy_id, return_index=True)[1]
    counted = np.zeros(n, dtype=bool)
    counted[first_copy[long_copy[copy_id[first_copy]]]] = True

    line, word = _line_words(keys)
    span = int(word.max()) + 1 if len(word) else 1
    pairs = _distinct_sorted(line * span + word)  # each distinct (line, word) once, sorted
    line, word = pairs // span, pairs % span
    in_page = np.unique(page[line] * span + word, return_inverse=True)[1].ravel()
    left = np.bincount(in_page, weights=counted[line])[in_page]  # distinct long lines holding it
    for near, holds in _near_long_copies(copy_id, long_copy, local, size, window):
        # Each near line stands for its copies once; line + near holds the word or not.
        rows = np.flatnonzero(holds[line])
        if near == 0:
            left[rows] -= 1
            continue
        wanted = (line[rows] + near) * span + word[rows]
        found = np.searchsorted(pairs, wanted)
        left[rows] -= pairs[np.minimum(found, len(pairs) - 1)] == wanted
    n_words = np.bincount(line, minlength=n)
    found = np.bincount(line, weights=left > 0, minlength=n)
    capped = np.bincount(line, weights=np.minimum(left, 5), minlength=n)
    has = n_words > 0
    share = np.divide(found, n_words, out=np.zeros(n), where=has)
    strength = np.divide(capped, 5 * n_words, out=np.zeros(n), where=has)
    return share.astype(np.float32), strength.astype(np.float32)


def _near_long_copies(copy_id: np.ndarray, long_copy: np.ndarray, local: np.ndarray, size: np.ndarray,
                      window: int):
    """For each offset d within window: which lines i have a line i+d on their page whose text
    is a long line's and is the first of its copies in i's window (so counts once)."""
    n = len(copy_id)

    def copy_at(d: int) -> np.ndarray:  # copy id of line i+d, -1 off the page
        out = np.full(n, -1)
        rows = np.flatnonzero((local + d >= 0) & (local + d < size))
        out[rows] = copy_id[rows + d]
        return out

    near = {d: copy_at(d) for d in range(-window, window + 1)}
    for d, ids in near.items():
        holds = ids >= 0
        holds[holds] = long_copy[ids[holds]]
        for earlier in range(-window, d):
            holds &= near[earlier] != ids
        yield d, holds


# The regexes above, for lines joined by "\n" (textnorm.joined): a match there never spans
# two lines, so the lines holding a match are those where the per-line search finds one.
# _READ_TIME's \s* must not run on into the next line.  The others are rewritten to find the
# same lines several times faster: a line holds a match of an alternation iff it holds one of
# an alternative, and each alternative here starts with a literal (or a digit) and checks
# what stands before it by a lookbehind, so the regex engine jumps to the candidates instead
# of trying every position with a \b or \w.  (tests/test_speed_equivalence.py checks them
# against the plain patterns line by line.)
_COMPILE = lambda *patterns: tuple(re.compile(p) for p in patterns)  # noqa: E731
_PLACEHOLDER_JOINED = _COMPILE(r"\{(?:\{.*?\}\}|[A-Za-z_]+\})", r"%[A-Za-z_]+%", r"\[\[.*?\]\]")
_URL_JOINED = _COMPILE(r"https?://", r"www\.", r"\.(?<=\w\.)(?:com|org|net|co\.uk|de|no|fr)\b", r"@(?<=\w@)\w")
_COPYRIGHT_JOINED = _COMPILE("©", r"\([cC]\)")  # "(c)" in t.lower(): no other character lowers to c, ( or )
_YEAR_JOINED = _COMPILE(r"19(?<!\w..)\d\d\b", r"20(?<!\w..)\d\d\b")
_DATE_JOINED = _COMPILE(r"\d(?<!\w\d)(?:\d?[./-]\d{1,2}[./-]\d{2,4}\b|\d{3}-\d\d-\d\d\b|\d?:\d\d\b)")
# A run of digits before the unit holds a match iff its last digit does: one \d, not \d+,
# spares the backtracking through every digit of every number.
_READ_TIME_JOINED = _COMPILE(r"\d[^\S\n]*(?i:" + _READ_TIME.pattern.split(r"\s*(?:", 1)[1])
# (column, patterns): years, dates and read times need a digit
_DIGIT_PATTERNS = ((16, _YEAR_JOINED), (17, _DATE_JOINED), (18, _READ_TIME_JOINED))
_OTHER_PATTERNS = ((19, _PLACEHOLDER_JOINED), (20, _URL_JOINED), (21, _COPYRIGHT_JOINED))
_SENTENCE_END_CPS = np.array(sorted(map(ord, _SENTENCE_END)), dtype=np.uint32)
_CLOSER_CPS = np.array(sorted(map(ord, _CLOSERS)), dtype=np.uint32)
_SEPARATOR_CPS = np.array(sorted(map(ord, _SEPARATORS)), dtype=np.uint32)


# What a read-time unit (_READ_TIME) can start with, case folded as re.IGNORECASE folds it
# (tests/test_speed_equivalence.py derives it from the pattern again).
READ_TIME_UNIT_STARTS = "DMPdmpΛλМХмхد分분"
# Indexed by code point (1.1 MB each): one gather finds them in a page, faster than np.isin.
_IS_READ_TIME_UNIT_START = np.zeros(0x110000, dtype=bool)
_IS_READ_TIME_UNIT_START[[ord(c) for c in READ_TIME_UNIT_STARTS]] = True
_IS_DATE_SEPARATOR = np.zeros(0x110000, dtype=bool)
_IS_DATE_SEPARATOR[[ord(c) for c in "./:-"]] = True


def _digit_spots(cps: np.ndarray, flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in joined lines where a date or a read time could start: a superset of
    where one does.

    Every alternative of _DATE has a separator (. / : -) between two digits; a read time is
    a digit, spaces within the line, and a unit.  A line without such a spot cannot match.
    """
    decimal = flags & DECIMAL != 0  # regex \d
    seps = np.flatnonzero(_IS_DATE_SEPARATOR[cps])
    seps = seps[(seps > 0) & (seps < len(cps) - 1)]
    dates = seps[decimal[seps - 1] & decimal[seps + 1]]
    # Read times: from each place a unit could start, back over the spaces before it.
    units = np.flatnonzero(_IS_READ_TIME_UNIT_START[cps])
    at = units - 1
    spot = np.zeros(len(units), dtype=bool)
    open_ = at >= 0
    for _ in range(8):
        idx = np.flatnonzero(open_)
        if not len(idx):
            break
        c = at[idx]
        space = (flags[c] & SPACE != 0) & (cps[c] != ord("\n"))
        spot[idx[~space]] = decimal[c[~space]]
        open_[idx[~space]] = False
        at[idx[space]] -= 1
        open_[idx[space][at[idx[space]] < 0]] = False
    spot[open_] = True  # a long run of spaces: left to the regex
    return dates, units[spot]


def _ends_sentence(text: str) -> bool:
    last = text[-1]
    if last in _CLOSERS and len(text) > 1:
        last = text[-2]
    return last in _SENTENCE_END


def _lines_matching(patterns: tuple[re.Pattern, ...], text: str, starts: np.ndarray, n: int) -> np.ndarray:
    """Which of the n lines joined in text hold a match of one of the patterns (starts: each
    line's offset in text)."""
    hits = [m.start() for pattern in patterns for m in pattern.finditer(text)]
    out = np.zeros(n, dtype=bool)
    if hits:
        out[np.searchsorted(starts, hits, side="right") - 1] = True
    return out


def _repetition_columns(keys: list[str], ptr: np.ndarray) -> np.ndarray:
    """log_repeats, seen_before, seen_after, repeat_nearby of each line, from repetition keys:
    repeats of a line on its own page."""
    n = len(keys)
    page, _, _ = _layout(ptr)
    # One id per (page, key); unique numbers them in row order, as rows run page by page.
    ids = np.unique(page * n + _distinct_ids(keys), return_inverse=True)[1].ravel()
    counts = np.bincount(ids)
    first = np.unique(ids, return_index=True)[1]
    last = n - 1 - np.unique(ids[::-1], return_index=True)[1]
    idx = np.arange(n)
    out = np.zeros((n, 4))
    out[:, 0] = np.log(counts[ids])
    out[:, 1] = first[ids] < idx
    out[:, 2] = last[ids] > idx
    nearby = np.zeros(n, dtype=bool)
    for d in range(1, 5):
        if d < n:
            same = ids[d:] == ids[:-d]  # the same id is on the same page
            nearby[d:] |= same
            nearby[:-d] |= same
    out[:, 3] = nearby
    return out


def _text_columns(texts: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """Columns 7-23 of BASE_NAMES (the facts of each line's own characters) and word counts,
    for all lines at once.

    None when the lines cannot be joined (a line holding "\n"), for the per-line path.
    """
    text = joined(texts)
    if text is None:
        return None
    n = len(texts)
    nchars = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(nchars[:-1] + 1, out=starts[1:])
    ends = starts + nchars
    cps = code_points(text)
    flags = char_flags(cps)
    count = lambda mask: segment_counts(mask, starts, ends)  # noqa: E731
    upper, lower = count(flags & UPPER != 0), count(flags & LOWER != 0)
    digits, alnum, letters = count(flags & DIGIT != 0), count(flags & ALNUM != 0), count(flags & ALPHA != 0)
    spaces = count(cps == 32)  # t.replace(" ", ""): the plain space only
    # A word (str.split) starts at a non-space after a space; the "\n" joints are spaces too.
    is_space = flags & SPACE != 0
    word_start = ~is_space
    word_start[1:] &= is_space[:-1]
    nw = count(word_start)
    titled = count(word_start & (flags & UPPER != 0))
    capr = caps_ratios(upper, lower)
    last, prev = cps[ends - 1], cps[np.maximum(ends - 2, starts)]
    sentence_char = np.where(np.isin(last, _CLOSER_CPS) & (nchars > 1), prev, last)

    out = np.zeros((n, 17))  # columns 7..23
    out[:, 0] = np.log1p(nchars)
    out[:, 1] = np.log1p(nw)
    out[:, 2] = np.isin(sentence_char, _SENTENCE_END_CPS)
    out[:, 3] = last == ord(":")
    out[:, 4] = np.isin(last, _SEPARATOR_CPS)
    out[:, 5] = capr
    out[:, 6] = (capr > 0.9) & (letters >= 3)
    has_words = nw > 0
    out[:, 7] = np.divide(titled, nw, out=np.zeros(n), where=has_words)
    out[:, 8] = digits / nchars
    for col, pattern in _OTHER_PATTERNS:
        out[:, col - 7] = _lines_matching(pattern, text, starts, n)
    # Years, dates and read times hold a digit, so only lines with one are scanned; dates and
    # read times need more (_digit_spots), which spares most of the regex time on prose.
    date_spot, read_time_spot = _digit_spots(cps, flags)
    line_of = lambda spots: np.searchsorted(starts, spots, side="right") - 1  # noqa: E731
    candidates = {16: np.flatnonzero(digits > 0), 17: np.unique(line_of(date_spot)),
                  18: np.unique(line_of(read_time_spot))}
    for col, pattern in _DIGIT_PATTERNS:
        rows = candidates[col]
        if len(rows):
            sub = "\n".join([texts[i] for i in rows.tolist()])
            sub_starts = np.zeros(len(rows), dtype=np.int64)
            np.cumsum(nchars[rows][:-1] + 1, out=sub_starts[1:])
            out[rows, col - 7] = _lines_matching(pattern, sub, sub_starts, len(rows))
    out[:, 15] = (nchars - alnum - spaces) / nchars
    out[:, 16] = np.divide(nchars - spaces, nw, out=np.zeros(n), where=has_words)
    return out, nw


def _text_columns_per_line(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Columns 7-23 and word counts line by line: the path for lines that cannot be joined."""
    out = np.zeros((len(texts), 17))
    for i, t in enumerate(texts):
        words = t.split()
        nw, nchars = len(words), len(t)
        capr = caps_ratio(t)
        spaces = nchars - len(t.replace(" ", ""))
        out[i] = [
            math.log1p(nchars), math.log1p(nw), _ends_sentence(t), t[-1] == ":", t[-1] in _SEPARATORS,
            capr, capr > 0.9 and sum(ch.isalpha() for ch in t) >= 3,
            sum(1 for w in words if w[:1].isupper()) / nw if nw else 0.0,
            sum(ch.isdigit() for ch in t) / nchars,
            _YEAR.search(t) is not None, _DATE.search(t) is not None, _READ_TIME.search(t) is not None,
            _PLACEHOLDER.search(t) is not None, _URL.search(t) is not None, "©" in t or "(c)" in t.lower(),
            (nchars - sum(ch.isalnum() for ch in t) - spaces) / nchars,
            (nchars - spaces) / nw if nw else 0.0,
        ]
    return out, np.array([len(t.split()) for t in texts])


def _text_columns_any(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """_text_columns, with the lines that cannot be joined (holding "\n") done line by line."""
    got = _text_columns(texts)
    if got is not None:
        return got
    odd = np.array(["\n" in t for t in texts], dtype=bool)
    cols, nw = np.zeros((len(texts), 17)), np.zeros(len(texts), dtype=np.int64)
    for rows, columns in ((np.flatnonzero(~odd), _text_columns), (np.flatnonzero(odd), _text_columns_per_line)):
        if len(rows):
            cols[rows], nw[rows] = columns([texts[i] for i in rows.tolist()])
    return cols, nw


def _page_main_share(chars: np.ndarray, is_main: np.ndarray) -> float:
    """Share of a page's characters in its main language, as the per-line loop rounded it."""
    # Summed in float32 one by one, as the per-line loop did: same rounding on huge pages.
    main_chars = np.cumsum(chars[is_main], dtype=np.float32)
    main_total = main_chars[-1] if len(main_chars) else np.float32(0)
    return float(main_total / chars.sum()) if chars.sum() else 0.0


def _main_shares(nchars: np.ndarray, is_main: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """_page_main_share of every page."""
    starts = ptr[:-1]
    total = np.add.reduceat(nchars, starts)
    main = np.add.reduceat(np.where(is_main, nchars, 0), starts)
    # Up to 2^24 characters every float32 partial sum is an exact integer, so the float32
    # quotient of the exact counts is the per-line loop's value.
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, main.astype(np.float32) / total.astype(np.float32), np.float32(0))
    for k in np.flatnonzero(total > 2**24).tolist():  # rounding of huge pages: page by page
        rows = slice(int(ptr[k]), int(ptr[k + 1]))
        share[k] = _page_main_share(nchars[rows].astype(np.float32), is_main[rows])
    return share


def _base_batch(
    pages: Sequence[Sequence[Line]],
    text_lens: Sequence[int],
    codes: Sequence[str],
    lang_probs: np.ndarray,
    main_langs: Sequence[str],
    tm_probs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """BASE_NAMES rows of the lines of non-empty pages, stacked, and the pages' row offsets."""
    ptr = np.zeros(len(pages) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(lines) for lines in pages])
    page, local, size = _layout(ptr)
    lines = [l for ls in pages for l in ls]
    texts = [l.text for l in lines]
    X = np.zeros((len(texts), len(BASE_NAMES)), dtype=np.float32)
    X[:, 0:3] = tm_probs
    X[:, 3] = lang_probs

    codes_arr = np.array(codes, dtype=object)
    is_und = codes_arr == "und"
    in_main = codes_arr == np.array(main_langs, dtype=object)[page]
    is_main = in_main & ~is_und
    X[:, 4] = is_main
    X[:, 5] = np.where(is_main | is_und, np.float32(0), lang_probs)
    X[:, 6] = is_und

    cols, nw = _text_columns_any(texts)
    X[:, 7:24] = cols
    X[:, 24:28] = _repetition_columns(repetition_keys(texts), ptr)

    nchars = np.array([len(t) for t in texts], dtype=np.int64)
    idx = local.astype(np.float64)
    X[:, 28] = np.where(size > 1, idx / np.maximum(size - 1, 1), 0.0)
    X[:, 29] = np.array([l.start for l in lines], dtype=np.float64) / np.maximum(text_lens, 1)[page]
    X[:, 30] = np.log1p(idx)
    X[:, 31] = np.log1p((size - 1 - local).astype(np.float64))
    X[:, 32] = [l.blank_before for l in lines]
    X[:, 33] = [l.blank_after for l in lines]
    X[:, 34] = _log1p_ints(size)
    X[:, 35] = _main_shares(nchars, in_main, ptr)[page]
    X[:, 36] = nw <= 3
    X[:, 37] = ["|" in t for t in texts]
    chars = nchars.astype(np.float32)  # the ratio of float32 lengths, as on one page
    X[:, 38] = chars.astype(np.float64) / np.maximum.reduceat(chars, ptr[:-1]).astype(np.float64)[page]
    X[:, 39], X[:, 40] = _overlap(texts, ptr)
    return X, ptr


def base_features(
    lines: Sequence[Line],
    text_len: int,
    codes: Sequence[str],
    lang_probs: np.ndarray,
    main_lang: str,
    tm_probs: np.ndarray,
) -> np.ndarray:
    """One row of BASE_NAMES features per line of a page."""
    if not lines:
        return np.zeros((0, len(BASE_NAMES)), dtype=np.float32)
    return _base_batch([lines], [text_len], codes, lang_probs, [main_lang], tm_probs)[0]


def context_features(base: np.ndarray, ptr: np.ndarray | None = None) -> np.ndarray:
    """Base features of each line beside a subset of its neighbours' on its page (first pass
    input); ptr: row offsets of the pages stacked in base (one page when None)."""
    ptr = np.array([0, len(base)]) if ptr is None else ptr
    sub = base[:, _NEIGHBOUR_IDX]
    parts = [base]
    for off in NEIGHBOUR_OFFSETS:
        parts.extend(_shifted(sub, ptr, off))
    return np.hstack(parts)


N_FIRST_PASS = len(BASE_NAMES) + len(NEIGHBOUR_OFFSETS) * (len(_NEIGHBOUR_IDX) + 1)
# Characters of one call to the batch code: its temporaries take ~25 bytes a character, so a
# batch of many big pages is done in parts rather than all in memory at once.
_PART_CHARS = 4_000_000


def _parts(sizes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs [a, b) of pages of about _PART_CHARS characters (a bigger page alone)."""
    out, a, total = [], 0, 0
    for k, n in enumerate(sizes):
        if total and total + n > _PART_CHARS:
            out.append((a, k))
            a, total = k, 0
        total += n
    if a < len(sizes):
        out.append((a, len(sizes)))
    return out


def batch_matrix(
    pages: Sequence[Sequence[Line]],
    text_lens: Sequence[int],
    codes: Sequence[str],
    lang_probs: np.ndarray,
    tm_probs: np.ndarray,
) -> np.ndarray:
    """First-pass feature rows of many pages: page_matrix of each non-empty page, stacked.

    codes, lang_probs and tm_probs run over the lines of all pages, in page order.
    """
    ptr = np.zeros(len(pages) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(lines) for lines in pages])
    kept = [k for k, lines in enumerate(pages) if lines]
    if not kept:
        return np.zeros((0, N_FIRST_PASS), dtype=np.float32)
    line_chars = [len(l.text) for lines in pages for l in lines]
    mains = [main_language(codes[ptr[k]:ptr[k + 1]], line_chars[ptr[k]:ptr[k + 1]]) for k in kept]
    page_chars = np.add.reduceat(line_chars, ptr[kept]).tolist()
    rows = []
    for a, b in _parts(page_chars):
        part = kept[a:b]
        lo, hi = int(ptr[part[0]]), int(ptr[part[-1] + 1])  # empty pages between add no lines
        base, part_ptr = _base_batch([pages[k] for k in part], [text_lens[k] for k in part], codes[lo:hi],
                                     lang_probs[lo:hi], mains[a:b], tm_probs[lo:hi])
        rows.append(context_features(base, part_ptr))
    return np.vstack(rows)


def page_matrix(
    lines: Sequence[Line],
    text_len: int,
    codes: Sequence[str],
    lang_probs: np.ndarray,
    tm_probs: np.ndarray,
) -> np.ndarray:
    """First-pass feature rows of one page: its lines' features beside their neighbours'."""
    return batch_matrix([lines], [text_len], codes, lang_probs, tm_probs)


def _window_means(P: np.ndarray, ptr: np.ndarray, radii: Sequence[int]) -> list[np.ndarray]:
    """Mean of P over rows i-radius..i+radius of row i's page (clipped at the page's edges),
    for each radius."""
    _, local, size = _layout(ptr)
    csum = _segment_accumulate(np.add, P.astype(np.float64), ptr)  # csum[i]: sum of the page's rows up to i
    row0 = np.arange(len(local)) - local
    out = []
    for radius in radii:
        lo = np.clip(local - radius, 0, size)
        hi = np.clip(local + radius + 1, 0, size)
        below = np.where((lo > 0)[:, None], csum[row0 + lo - 1], 0.0)
        out.append(((csum[row0 + hi - 1] - below) / (hi - lo)[:, None]).astype(np.float32))
    return out


def second_pass_batch(first: np.ndarray, P: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """First-pass features plus what the first pass believes of each line's neighbourhood on
    its page, for the pages stacked in first (ptr: their row offsets).

    P holds the first pass's (body, chrome, teaser) probabilities for the lines.
    """
    ptr = np.asarray(ptr, dtype=np.int64)
    parts = [first, P]
    for off in CONTEXT_OFFSETS:
        parts.append(_shifted(P, ptr, off)[0])
    parts.extend(_window_means(P, ptr, (2, 5, 12)))
    body = P[:, 0].astype(np.float64)
    parts.append(_body_mass_columns(body, ptr))
    parts.append(_body_runs(body, ptr))
    return np.hstack(parts).astype(np.float32)


def second_pass_features(first: np.ndarray, P: np.ndarray) -> np.ndarray:
    """second_pass_batch of one page."""
    return second_pass_batch(first, P, np.array([0, P.shape[0]]))


def _body_mass_columns(body: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """Is there article text further down / further up?  Teaser lists follow the body's end.
    Columns: most body belief below, above, the share of the page's body mass above, and the
    line's distance to the body's centre of mass (signed, absolute)."""
    page, local, size = _layout(ptr)
    row0 = np.arange(len(body)) - local
    mirror = row0 + size - 1 - local  # the row as far from the page's end as this is from its start
    upto = _segment_accumulate(np.maximum, body, ptr)
    from_end = _segment_accumulate(np.maximum, body[mirror], ptr)[mirror]  # max of rows i.. of the page
    after = np.where(local < size - 1, from_end[np.minimum(np.arange(len(body)) + 1, len(body) - 1)], 0.0)
    before = np.where(local > 0, upto[np.maximum(np.arange(len(body)) - 1, 0)], 0.0)
    starts, sizes = ptr[:-1], np.diff(ptr)
    total = _segment_sums(body, starts, sizes)[page]
    weighted = _segment_sums(local * body, starts, sizes)[page]
    with np.errstate(invalid="ignore", divide="ignore"):
        cum = np.where(total > 0, (_segment_accumulate(np.add, body, ptr) - body) / total, 0.0)
        # The body's centre of mass, to tell a line inside the article block from one far off it.
        centre = np.where(total > 0, weighted / total / np.maximum(size - 1, 1), 0.5)
    rel = local / np.maximum(size - 1, 1)
    return np.column_stack([after, before, cum, rel - centre, np.abs(rel - centre)]).astype(np.float32)


def _body_runs(body: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """Where each line stands against its page's main run of article lines.

    The article is mostly one block: a line the first pass believes is body
    but that sits in a small island, cut off from the main block by furniture
    or teasers, is more likely a teaser blurb.  Columns: the share of the
    main run's body mass that the line's own run holds (0 outside any run);
    log of the line distance to the main run; log of the non-body lines
    between the line and the main run.  The main run is the page's first run
    of the largest mass.
    """
    n = len(body)
    page, local, size = _layout(ptr)
    out = np.zeros((n, 3), dtype=np.float32)
    is_body = body > 0.5
    run_start = is_body.copy()
    run_start[1:] &= ~is_body[:-1] | (local[1:] == 0)
    run_id = np.where(is_body, np.cumsum(run_start) - 1, -1)
    starts = np.flatnonzero(run_start)
    if not len(starts):  # no article lines: everything is as far as the page is long
        out[:, 1] = out[:, 2] = _log1p_ints(size)
        return out
    lengths = np.bincount(run_id[is_body], minlength=len(starts))
    mass = _segment_sums(body, starts, lengths)
    run_page = page[starts]
    best = np.full(len(ptr) - 1, -np.inf)
    np.maximum.at(best, run_page, mass)
    is_best = mass == best[run_page]
    main_pages, first_best = np.unique(run_page[is_best], return_index=True)
    main_runs = np.flatnonzero(is_best)[first_best]
    has_main = np.zeros(len(ptr) - 1, dtype=bool)
    has_main[main_pages] = True
    main_of = np.zeros(len(ptr) - 1, dtype=np.int64)
    main_of[main_pages] = main_runs
    run = main_of[page]
    first, last = starts[run], starts[run] + lengths[run] - 1  # rows

    out[:, 0] = np.where(is_body, mass[np.maximum(run_id, 0)] / mass[run], 0.0)
    rows = np.arange(n)
    not_body = np.concatenate([[0], np.cumsum(~is_body)])  # non-body rows before each row
    dist = np.where(rows < first, first - rows, np.where(rows > last, rows - last, 0))
    gap = np.where(rows < first, not_body[first] - not_body[np.minimum(rows + 1, n)],
                   np.where(rows > last, not_body[rows] - not_body[np.minimum(last + 1, n)], 0))
    no_run = ~has_main[page]  # a page without article lines: everything is as far as the page is long
    dist[no_run] = gap[no_run] = size[no_run]
    out[:, 1] = _log1p_ints(dist)
    out[:, 2] = _log1p_ints(gap)
    return out
