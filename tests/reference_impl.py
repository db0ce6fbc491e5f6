"""The feature code as it was before the speed work of issue 7: the reference the fast code must equal.

Kept verbatim (only the imports changed) so that tests/test_speed_equivalence.py can check
the vectorised features, text views and tree walk against the plain per-line loops.  What
the speed work left unchanged (the per-line text views, the patterns) is imported from
langsplit rather than copied.  The one-page context and second-pass features at the end are
as they were before the batch code (features.batch_matrix, features.second_pass_batch)
replaced them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

# What the speed work left unchanged (patterns, column names, the per-line text views) is
# shared, not copied, and re-exported for the tests.
from langsplit.features import (
    _DATE, _LONG_LINE, _MAX_WORDS, _NEIGHBOUR_IDX, _PLACEHOLDER, _READ_TIME, _SEPARATORS, _URL, _WORD, _YEAR,
    BASE_NAMES, CONTEXT_OFFSETS, NEIGHBOUR_OFFSETS, _ends_sentence)
from langsplit.langid import main_language
from langsplit.textnorm import _encodable, caps_ratio, for_langid, for_textmodel, repetition_key


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
    n = len(texts)
    share = np.zeros(n, dtype=np.float32)
    strength = np.zeros(n, dtype=np.float32)
    for i, w in enumerate(words):
        if not w:
            continue
        near = {keys[j] for j in range(max(0, i - window), min(n, i + window + 1))}
        near_sets = [long_words[k] for k in near if k in long_words]
        found = 0
        total = 0
        for x in w:
            c = min(counts[x] - sum(1 for ws in near_sets if x in ws), 5)
            found += c > 0
            total += c
        share[i] = found / len(w)
        strength[i] = total / (5 * len(w))
    return share, strength


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
    X[:, 0:3] = tm_probs
    X[:, 3] = lang_probs

    keys = [repetition_key(l.text) for l in lines]
    counts = Counter(keys)
    first_seen: dict[str, int] = {}
    last_seen: dict[str, int] = {}
    for i, k in enumerate(keys):
        first_seen.setdefault(k, i)
        last_seen[k] = i

    chars = np.array([len(l.text) for l in lines], dtype=np.float32)
    main_chars = sum(c for c, code in zip(chars, codes) if code == main_lang)
    page_main_share = float(main_chars / chars.sum()) if chars.sum() else 0.0
    max_chars = float(chars.max())
    log_n = math.log1p(n)
    X[:, 39], X[:, 40] = _overlap([l.text for l in lines])
    denom_text = max(text_len, 1)

    for i, line in enumerate(lines):
        t = line.text
        code = codes[i]
        is_main = 1.0 if code == main_lang and code != "und" else 0.0
        words = t.split()
        nw = len(words)
        nchars = len(t)
        digits = sum(ch.isdigit() for ch in t)
        alnum = sum(ch.isalnum() for ch in t)
        spaces = nchars - len(t.replace(" ", ""))
        capr = caps_ratio(t)
        letters = sum(ch.isalpha() for ch in t)
        titled = sum(1 for w in words if w[:1].isupper())
        k = keys[i]
        X[i, 4] = is_main
        X[i, 5] = (1.0 - is_main) * lang_probs[i] if code != "und" else 0.0
        X[i, 6] = 1.0 if code == "und" else 0.0
        X[i, 7] = math.log1p(nchars)
        X[i, 8] = math.log1p(nw)
        X[i, 9] = _ends_sentence(t)
        X[i, 10] = t[-1] == ":"
        X[i, 11] = t[-1] in _SEPARATORS
        X[i, 12] = capr
        X[i, 13] = capr > 0.9 and letters >= 3
        X[i, 14] = titled / nw if nw else 0.0
        X[i, 15] = digits / nchars
        X[i, 16] = _YEAR.search(t) is not None
        X[i, 17] = _DATE.search(t) is not None
        X[i, 18] = _READ_TIME.search(t) is not None
        X[i, 19] = _PLACEHOLDER.search(t) is not None
        X[i, 20] = _URL.search(t) is not None
        X[i, 21] = "©" in t or "(c)" in t.lower()
        X[i, 22] = (nchars - alnum - spaces) / nchars
        X[i, 23] = (nchars - spaces) / nw if nw else 0.0
        X[i, 24] = math.log(counts[k])
        X[i, 25] = first_seen[k] < i
        X[i, 26] = last_seen[k] > i
        X[i, 27] = any(
            0 <= i + d < n and keys[i + d] == k for d in (-4, -3, -2, -1, 1, 2, 3, 4)
        )
        X[i, 28] = i / (n - 1) if n > 1 else 0.0
        X[i, 29] = line.start / denom_text
        X[i, 30] = math.log1p(i)
        X[i, 31] = math.log1p(n - 1 - i)
        X[i, 32] = line.blank_before
        X[i, 33] = line.blank_after
        X[i, 34] = log_n
        X[i, 35] = page_main_share
        X[i, 36] = nw <= 3
        X[i, 37] = "|" in t
        X[i, 38] = nchars / max_chars
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


# ---- the one-page context and second-pass features, before the batch code -----------------------


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
