"""Normalised views of a line, one per consumer.

Each model sees the line in the form it generalises best from: the language
identifier wants real words (but not shouting), the line-text model wants
tokens with digits masked so that "7-day trial" and "14-day trial" are one
pattern, and repetition counting wants case and spacing folded away.
"""

from __future__ import annotations

import re

import numpy as np

from .datewords import DATE_WORDS

# Long lines carry no more signal past their start, and fastText's cost grows with length.
MAX_MODEL_CHARS = 600
# lid.176 knows a language from a sentence or two.  Cut from 600 to 200 characters (issue 7),
# the packaged model's dev sets moved by at most 0.0002 macro-F1 and the seed pages and
# CleanEval not at all, and lid.176 reads a third fewer characters.
MAX_LID_CHARS = 200

_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"([^\w\s])")
_SPACE = re.compile(r"\s+")


def caps_ratio(text: str) -> float:
    """Share of upper-case letters among cased letters (0 when there are none)."""
    upper = lower = 0
    for ch in text:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
    cased = upper + lower
    return upper / cased if cased else 0.0


def _encodable(text: str) -> str:
    # A str may hold lone surrogates (from a lax decoder); fastText needs valid UTF-8.
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def for_langid(line: str) -> str:
    """The line as lid.176 should see it, or "" when it holds no letters."""
    text = _encodable(line[:MAX_LID_CHARS])
    if not any(ch.isalpha() for ch in text):
        return ""
    # lid.176 has barely seen ALL-CAPS text: "LAKERS EXCITED" gets en 0.12, "lakers excited" 0.89.
    if caps_ratio(text) > 0.6:
        text = text.lower()
    return _SPACE.sub(" ", text).strip()


def for_textmodel(line: str) -> str:
    """Tokens for the line-text model: lower case, digits masked, punctuation split off."""
    text = _encodable(line[:MAX_MODEL_CHARS]).lower()
    text = _DIGIT.sub("0", text)
    text = _PUNCT.sub(r" \1 ", text)
    return _SPACE.sub(" ", text).strip()


def repetition_key(line: str) -> str:
    """Key under which two lines count as the same furniture: case, spacing and digits folded."""
    return _SPACE.sub(" ", _DIGIT.sub("0", line.lower())).strip()


# ---- the same facts for many lines at once ---------------------------------------------------
#
# Per-character loops in Python cost more than both fastText models together, so the
# character facts of a page are read from a table indexed by code point: one numpy pass
# over the page instead of a Python call per character.  The table is filled lazily, from
# the very str methods the per-line code used, for the code points actually seen.

UPPER, LOWER, DIGIT, ALNUM, ALPHA, SPACE, DECIMAL = 1, 2, 4, 8, 16, 32, 64  # DECIMAL: what regex \d matches
_UNKNOWN = 128
_FLAGS = np.full(0x110000, _UNKNOWN, dtype=np.uint8)


def _flags_of(ch: str) -> int:
    return (UPPER * ch.isupper() | LOWER * ch.islower() | DIGIT * ch.isdigit()
            | ALNUM * ch.isalnum() | ALPHA * ch.isalpha() | SPACE * ch.isspace() | DECIMAL * ch.isdecimal())


def code_points(text: str) -> np.ndarray:
    """The code points of text (lone surrogates included, as the str holds them)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def char_flags(cps: np.ndarray) -> np.ndarray:
    """UPPER/LOWER/DIGIT/ALNUM/ALPHA/SPACE/DECIMAL bits of each code point, as str.isupper() etc. say."""
    flags = _FLAGS[cps]
    unknown = flags == _UNKNOWN
    if unknown.any():
        # Writing the same byte from two threads at once is harmless: both write one value.
        for cp in np.unique(cps[unknown]).tolist():
            _FLAGS[cp] = _flags_of(chr(cp))
        flags = _FLAGS[cps]
    return flags


def segment_counts(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many True values of mask lie in each [start, end)."""
    # int32 halves the memory of this running count on huge pages; it holds up to 2^31 characters.
    csum = np.zeros(len(mask) + 1, dtype=np.int32 if len(mask) < 2**31 - 1 else np.int64)
    np.cumsum(mask, out=csum[1:])
    return csum[ends] - csum[starts]


def caps_ratios(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """caps_ratio from counts: upper / (upper + lower), 0 where nothing is cased (float64)."""
    cased = upper + lower
    return np.divide(upper, cased, out=np.zeros(len(cased)), where=cased > 0)


def _collapsed(piece: str) -> str:
    # str.split() breaks at the characters str.isspace() knows, which are regex \s's, and
    # drops the empty ends: each run of whitespace becomes one " " and the ends are stripped.
    return " ".join(piece.split())


def joined(lines: list[str]) -> str | None:
    r"""The lines joined by newlines, or None when a line holds a newline itself.

    Joined text lets one regex call serve a whole page.  "\n" is whitespace and not a
    word character, so at a line's edges it acts as the string's edge did: \b, \s, "."
    and lower-casing's final-sigma rule see the same context.
    """
    text = "\n".join(lines)
    if text.count("\n") != len(lines) - 1:
        return None
    return text


def repetition_keys(lines: list[str]) -> list[str]:
    r"""[repetition_key(l) for l in lines], by one pass of numpy over their joined code points.

    (Two regex substitutions over the joined lines cost ~4x more: one match per space.)
    Regex \d is str.isdecimal() and \s is str.isspace(), so both come from char_flags.
    """
    text = joined(lines)
    if text is None:
        return [repetition_key(l) for l in lines]
    cps = code_points(text.lower()).copy()
    flags = char_flags(cps)
    cps[flags & DECIMAL != 0] = ord("0")
    return _squeezed(cps, flags & SPACE != 0)


def _squeezed(cps: np.ndarray, space: np.ndarray) -> list[str]:
    """The lines joined in cps, each run of spaces in a line made one " ", the ones at a
    line's ends dropped (what " ".join(line.split()) gives), split at the "\n" joints.

    space marks the spaces, the "\n" joints too: a line's edges are where its spaces meet one.
    """
    run_starts = np.flatnonzero(space & ~np.concatenate([[False], space[:-1]]))
    run_ends = np.flatnonzero(space & ~np.concatenate([space[1:], [False]]))
    joint = cps == ord("\n")
    at_joint = np.zeros(len(run_starts), dtype=bool)
    at_joint[np.searchsorted(run_ends, np.flatnonzero(joint))] = True  # the run each joint is in
    # A run of spaces inside a line becomes one " "; one at a line's start or end goes.
    inner = run_starts[(run_starts > 0) & (run_ends < len(cps) - 1) & ~at_joint]
    cps[inner] = ord(" ")
    keep = ~space | joint
    keep[inner] = True
    return cps[keep].tobytes().decode("utf-32-le", "surrogatepass").split("\n")


def _encodable_joined(lines: list[str], max_chars: int = MAX_MODEL_CHARS) -> str | None:
    # _encodable swaps each lone surrogate for one "?", so offsets stay put when joined.
    text = joined([l[:max_chars] for l in lines])
    return None if text is None else _encodable(text)


def for_langid_many(lines: list[str]) -> list[str]:
    """[for_langid(l) for l in lines], with the character counting done for all lines at once."""
    text = _encodable_joined(lines, MAX_LID_CHARS)
    if text is None:
        return [for_langid(l) for l in lines]
    pieces = text.split("\n")
    lens = np.array([len(p) for p in pieces], dtype=np.int64)
    starts = np.zeros(len(pieces), dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=starts[1:])
    ends = starts + lens
    flags = char_flags(code_points(text))
    has_letter = segment_counts(flags & ALPHA != 0, starts, ends) > 0
    shouting = caps_ratios(segment_counts(flags & UPPER != 0, starts, ends),
                           segment_counts(flags & LOWER != 0, starts, ends)) > 0.6
    return [_collapsed(p.lower() if s else p) if h else ""
            for p, s, h in zip(pieces, shouting.tolist(), has_letter.tolist())]


def for_textmodel_many(lines: list[str]) -> list[str]:
    """[for_textmodel(l) for l in lines], in one pass of each regex over all of them."""
    text = _encodable_joined(lines)
    if text is None:
        return [for_textmodel(l) for l in lines]
    # Both substitutions by one numpy pass over the code points (a regex substitution costs
    # one match per digit and per punctuation mark).  Regex \d is str.isdecimal() and \w is
    # str.isalnum() or "_", so char_flags says which characters each regex would match.
    cps = code_points(text.lower()).copy()
    flags = char_flags(cps)
    cps[flags & DECIMAL != 0] = ord("0")
    punct = np.flatnonzero((flags & (ALNUM | SPACE) == 0) & (cps != ord("_")))
    width = np.ones(len(cps), dtype=np.intp)
    width[punct] = 3  # " " mark " "
    at = np.cumsum(width) - width
    out = np.full(int(at[-1] + width[-1]) if len(cps) else 0, ord(" "), dtype=np.uint32)
    out[at] = cps
    out[at[punct] + 1] = cps[punct]
    out[at[punct]] = ord(" ")
    space = np.ones(len(out), dtype=bool)  # the cells put in are spaces
    space[at] = flags & SPACE != 0
    space[at[punct]] = True
    space[at[punct] + 1] = False
    return _squeezed(out, space)


_WORD_TOKEN = re.compile(r"\w+")
_NUMBERED = re.compile(r"\w*\d\w*")


def template_tokens(line: str) -> list[str]:
    """The words of a line as a template sees them: lower case, numbers and date names masked.

    Punctuation and spacing are dropped, so "Allerede abonnent ? Logg på" and
    "Allerede abonnent? Logg på" are one template line, and so are the edition
    notices of two different days.
    """
    text = _NUMBERED.sub(" 0 ", line.lower())
    return ["<date>" if tok in DATE_WORDS else tok for tok in _WORD_TOKEN.findall(text)]


def template_key(line: str) -> str:
    """One string per template line (see template_tokens); "" for a line without words."""
    return " ".join(template_tokens(line))
