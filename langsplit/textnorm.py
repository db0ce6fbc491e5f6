"""Normalised views of a line, one per consumer.

Each model sees the line in the form it generalises best from: the language
identifier wants real words (but not shouting), the line-text model wants
tokens with digits masked so that "7-day trial" and "14-day trial" are one
pattern, and repetition counting wants case and spacing folded away.
"""

from __future__ import annotations

import re

from .datewords import DATE_WORDS

# Long lines carry no more signal past their start, and fastText's cost grows with length.
MAX_MODEL_CHARS = 600

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
    text = _encodable(line[:MAX_MODEL_CHARS])
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
