"""The feature code as it was before the speed work of issue 7: the reference the fast code must equal.

Kept verbatim (only the imports changed) so that tests/test_speed_equivalence.py can check
the vectorised features, text views and tree walk against the plain per-line loops.  What
the speed work left unchanged (the per-line text views, the context and second-pass
features) is imported from langsplit rather than copied.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

# What the speed work left unchanged (patterns, column names, the per-line text views, the
# context and second-pass features) is shared, not copied, and re-exported for the tests.
from langsplit.features import (
    _DATE, _LONG_LINE, _MAX_WORDS, _PLACEHOLDER, _READ_TIME, _SEPARATORS, _URL, _WORD, _YEAR, BASE_NAMES,
    _body_runs, _ends_sentence, _shifted, _window_mean, context_features, second_pass_features)
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


