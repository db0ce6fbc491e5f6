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
from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from operator import countOf

import numpy as np

from .langid import main_language
from .segment import Line
from .textnorm import ALNUM, ALPHA, DIGIT, SPACE, UPPER, LOWER, caps_ratio, caps_ratios, char_flags, code_points, joined, repetition_keys, segment_counts

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


_WORD = re.compile(r"\w{4,}")
_LONG_LINE = 100  # characters: a line this long is prose, the article's or a blurb's
_MAX_WORDS = 60


def _overlap(texts: Sequence[str], window: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """How much each line's words recur in the page's other, distant long lines.

    The article's headline, standfirst and paragraphs share their names and
    topic words with paragraphs all over the article; a teaser shares them at
    most with its own blurb next to it, and furniture with nothing.  Lines
    within ``window`` of the line, and copies of it, do not count.  Returns
    the share of a line's words found there and the mean of their capped counts.
    """
    keys = [t.lower() for t in texts]
    words = [set(_WORD.findall(k)[:_MAX_WORDS]) for k in keys]
    long_words: dict[str, set] = {}  # each distinct long line once
    for k, w, t in zip(keys, words, texts):
        if len(t) >= _LONG_LINE and k not in long_words:
            long_words[k] = w
    counts: Counter = Counter()
    for w in long_words.values():
        counts.update(w)
    get = counts.get
    n = len(texts)
    share = np.zeros(n, dtype=np.float32)
    strength = np.zeros(n, dtype=np.float32)
    for i, w in enumerate(words):
        if not w:
            continue
        near = {keys[j] for j in range(max(0, i - window), min(n, i + window + 1))}
        # Each word's count in distant long lines: its count in all distinct long lines
        # less the near ones holding it (set intersections, not a loop over words).
        left = {x: get(x, 0) for x in w}
        for k in near:
            ws = long_words.get(k)
            if ws is not None:
                for x in w & ws:
                    left[x] -= 1
        # A near line is one of the distinct long lines counted, so no count goes below 0.
        vals = list(left.values())
        share[i] = (len(vals) - countOf(vals, 0)) / len(w)
        strength[i] = sum(map(min, vals, repeat(5, len(vals)))) / (5 * len(w))
    return share, strength


# The regexes above, for lines joined by "\n" (textnorm.joined): a match there never spans
# two lines, so the lines holding a match are those where the per-line search finds one.
# Only _READ_TIME needs a change: its \s* must not run on into the next line.
_READ_TIME_JOINED = re.compile(_READ_TIME.pattern.replace(r"\s*", r"[^\S\n]*"), re.IGNORECASE)
_COPYRIGHT = re.compile(r"©|\([cC]\)")  # "(c)" in t.lower(): no other character lowers to c, ( or )
_DIGIT_PATTERNS = ((16, _YEAR), (17, _DATE), (18, _READ_TIME_JOINED))  # (column, pattern): need a digit
_OTHER_PATTERNS = ((19, _PLACEHOLDER), (20, _URL), (21, _COPYRIGHT))
_SENTENCE_END_CPS = np.array(sorted(map(ord, _SENTENCE_END)), dtype=np.uint32)
_CLOSER_CPS = np.array(sorted(map(ord, _CLOSERS)), dtype=np.uint32)
_SEPARATOR_CPS = np.array(sorted(map(ord, _SEPARATORS)), dtype=np.uint32)


def _ends_sentence(text: str) -> bool:
    last = text[-1]
    if last in _CLOSERS and len(text) > 1:
        last = text[-2]
    return last in _SENTENCE_END


def _lines_matching(pattern: re.Pattern, text: str, starts: np.ndarray, n: int) -> np.ndarray:
    """Which of the n lines joined in text hold a match (starts: each line's offset in text)."""
    hits = [m.start() for m in pattern.finditer(text)]
    out = np.zeros(n, dtype=bool)
    if hits:
        out[np.searchsorted(starts, hits, side="right") - 1] = True
    return out


def _repetition_columns(keys: list[str]) -> np.ndarray:
    """log_repeats, seen_before, seen_after, repeat_nearby of each line, from repetition keys."""
    ids_of: dict[str, int] = {}
    ids = np.array([ids_of.setdefault(k, len(ids_of)) for k in keys], dtype=np.int64)
    n = len(ids)
    counts = np.bincount(ids)
    first = np.unique(ids, return_index=True)[1]  # ids are numbered by first appearance
    last = n - 1 - np.unique(ids[::-1], return_index=True)[1]
    idx = np.arange(n)
    out = np.zeros((n, 4))
    out[:, 0] = np.log(counts[ids])
    out[:, 1] = first[ids] < idx
    out[:, 2] = last[ids] > idx
    nearby = np.zeros(n, dtype=bool)
    for d in range(1, 5):
        if d < n:
            same = ids[d:] == ids[:-d]
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
    # Years, dates and read times hold a digit: scanning only the lines with one saves
    # most of the regex time on prose.
    with_digits = np.flatnonzero(digits > 0)
    if len(with_digits):
        sub = "\n".join([texts[i] for i in with_digits.tolist()])
        sub_starts = np.zeros(len(with_digits), dtype=np.int64)
        np.cumsum(nchars[with_digits][:-1] + 1, out=sub_starts[1:])
        for col, pattern in _DIGIT_PATTERNS:
            out[with_digits, col - 7] = _lines_matching(pattern, sub, sub_starts, len(with_digits))
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


def base_features(
    lines: Sequence[Line],
    text_len: int,
    codes: Sequence[str],
    lang_probs: np.ndarray,
    main_lang: str,
    tm_probs: np.ndarray,
) -> np.ndarray:
    """One row of BASE_NAMES features per line of a page."""
    n = len(lines)
    X = np.zeros((n, len(BASE_NAMES)), dtype=np.float32)
    if n == 0:
        return X
    texts = [l.text for l in lines]
    X[:, 0:3] = tm_probs
    X[:, 3] = lang_probs

    codes_arr = np.array(codes, dtype=object)
    is_und = codes_arr == "und"
    is_main = (codes_arr == main_lang) & ~is_und
    X[:, 4] = is_main
    X[:, 5] = np.where(is_main | is_und, np.float32(0), lang_probs)
    X[:, 6] = is_und

    cols, nw = _text_columns(texts) or _text_columns_per_line(texts)
    X[:, 7:24] = cols
    X[:, 24:28] = _repetition_columns(repetition_keys(texts))

    chars = np.array([len(t) for t in texts], dtype=np.float32)
    # Summed in float32 one by one, as the per-line loop did: same rounding on huge pages.
    main_chars = np.cumsum(chars[codes_arr == main_lang], dtype=np.float32)
    main_total = main_chars[-1] if len(main_chars) else np.float32(0)
    page_main_share = float(main_total / chars.sum()) if chars.sum() else 0.0
    idx = np.arange(n, dtype=np.float64)
    X[:, 28] = idx / (n - 1) if n > 1 else 0.0
    X[:, 29] = np.array([l.start for l in lines], dtype=np.float64) / max(text_len, 1)
    X[:, 30] = np.log1p(idx)
    X[:, 31] = np.log1p(n - 1 - idx)
    X[:, 32] = [l.blank_before for l in lines]
    X[:, 33] = [l.blank_after for l in lines]
    X[:, 34] = math.log1p(n)
    X[:, 35] = page_main_share
    X[:, 36] = nw <= 3
    X[:, 37] = ["|" in t for t in texts]
    X[:, 38] = chars.astype(np.float64) / float(chars.max())
    X[:, 39], X[:, 40] = _overlap(texts)
    return X


def page_matrix(
    lines: Sequence[Line],
    text_len: int,
    codes: Sequence[str],
    lang_probs: np.ndarray,
    tm_probs: np.ndarray,
) -> np.ndarray:
    """First-pass feature rows of one page: its lines' features beside their neighbours'."""
    main = main_language(codes, [len(l.text) for l in lines])
    return context_features(base_features(lines, text_len, codes, lang_probs, main, tm_probs))


def _shifted(M: np.ndarray, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of M moved by offset (row i gets row i+offset), zero-filled, and a presence flag."""
    n = M.shape[0]
    out = np.zeros_like(M)
    present = np.zeros((n, 1), dtype=M.dtype)
    if abs(offset) >= n:
        return out, present
    if offset > 0:
        out[: n - offset] = M[offset:]
        present[: n - offset] = 1
    elif offset < 0:
        out[-offset:] = M[: n + offset]
        present[-offset:] = 1
    return out, present


def context_features(base: np.ndarray) -> np.ndarray:
    """Base features of each line beside a subset of its neighbours' (first pass input)."""
    sub = base[:, _NEIGHBOUR_IDX]
    parts = [base]
    for off in NEIGHBOUR_OFFSETS:
        shifted, present = _shifted(sub, off)
        parts.append(shifted)
        parts.append(present)
    return np.hstack(parts)


def _window_mean(P: np.ndarray, radius: int) -> np.ndarray:
    """Mean of P over rows i-radius..i+radius (clipped at the page edges)."""
    n = P.shape[0]
    csum = np.vstack([np.zeros((1, P.shape[1]), dtype=np.float64), np.cumsum(P, axis=0, dtype=np.float64)])
    idx = np.arange(n)
    lo = np.clip(idx - radius, 0, n)
    hi = np.clip(idx + radius + 1, 0, n)
    return ((csum[hi] - csum[lo]) / (hi - lo)[:, None]).astype(np.float32)


def second_pass_features(first: np.ndarray, P: np.ndarray) -> np.ndarray:
    """First-pass features plus what the first pass believes of the neighbourhood.

    P holds the first pass's (body, chrome, teaser) probabilities for the page's lines.
    """
    n = P.shape[0]
    parts = [first, P]
    for off in CONTEXT_OFFSETS:
        shifted, present = _shifted(P, off)
        parts.append(shifted)
    for radius in (2, 5, 12):
        parts.append(_window_mean(P, radius))
    body = P[:, 0].astype(np.float64)
    # Is there article text further down / further up?  Teaser lists follow the body's end.
    after = np.zeros(n)
    before = np.zeros(n)
    if n > 1:
        after[:-1] = np.maximum.accumulate(body[::-1])[::-1][1:]
        before[1:] = np.maximum.accumulate(body)[:-1]
    total = body.sum()
    cum = (np.cumsum(body) - body) / total if total > 0 else np.zeros(n)
    # The body's centre of mass, to tell a line inside the article block from one far off it.
    centre = float((np.arange(n) * body).sum() / total) / max(n - 1, 1) if total > 0 else 0.5
    rel = np.arange(n) / max(n - 1, 1)
    parts.append(np.column_stack([after, before, cum, rel - centre, np.abs(rel - centre)]).astype(np.float32))
    parts.append(_body_runs(body))
    return np.hstack(parts).astype(np.float32)


def _body_runs(body: np.ndarray) -> np.ndarray:
    """Where each line stands against the page's main run of article lines.

    The article is mostly one block: a line the first pass believes is body
    but that sits in a small island, cut off from the main block by furniture
    or teasers, is more likely a teaser blurb.  Columns: the share of the
    main run's body mass that the line's own run holds (0 outside any run);
    log of the line distance to the main run; log of the non-body lines
    between the line and the main run.
    """
    n = len(body)
    is_body = body > 0.5
    run_id = np.full(n, -1)
    runs: list[tuple[int, int, float]] = []  # (first, last, mass)
    i = 0
    while i < n:
        if is_body[i]:
            j = i
            while j + 1 < n and is_body[j + 1]:
                j += 1
            run_id[i:j + 1] = len(runs)
            runs.append((i, j, float(body[i:j + 1].sum())))
            i = j + 1
        else:
            i += 1
    out = np.zeros((n, 3), dtype=np.float32)
    if not runs:
        out[:, 1] = math.log1p(n)
        out[:, 2] = math.log1p(n)
        return out
    first, last, mass = max(runs, key=lambda r: r[2])
    not_body = np.concatenate([[0], np.cumsum(~is_body)])
    for k in range(n):
        if run_id[k] >= 0:
            out[k, 0] = runs[run_id[k]][2] / mass
        if k < first:
            dist, gap = first - k, not_body[first] - not_body[k + 1]
        elif k > last:
            dist, gap = k - last, not_body[k] - not_body[last + 1]
        else:
            dist, gap = 0, 0
        out[k, 1] = math.log1p(dist)
        out[k, 2] = math.log1p(gap)
    return out
