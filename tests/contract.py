"""The span contract, and generators of hostile text, shared by the property tests and
``scripts/soak.py`` (which puts this folder on ``sys.path``).

``check_page`` raises ``AssertionError`` with a message when a page's spans break the contract.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from langsplit import LABELS, Span

# Characters scrapers leave in text: every line break str.splitlines knows, NUL and C0/C1
# controls, NBSP and other Unicode spaces, zero-width and bidi controls, combining marks,
# lone surrogates, a BOM, emoji (with a ZWJ sequence and a skin tone), RTL and CJK letters.
SPECIAL = ("\x00\t\n\x0b\x0c\r\x1b\x1c\x1d\x1e\x1f \x7f\x85\xa0\xad\u1680\u2000\u2007\u200a\u200b"
           "\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202e\u202f\u205f\u2066\u3000\ufeff\ufffd"
           "\u0300\u0301\u0308\u20dd\u0651\ud800\udbff\udc00\udfff\U0001f525\U0001f44d\U0001f3fd"
           "\U0001f468\u200d\U0001f469\u05e9\u05dc\u05d5\u05dd\u0645\u0631\u062d\u0628\u0627"
           "\u6771\u4eac\u3042\uff01\u3002\U00020000\U0010ffff")
BREAKS = ("\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
          "\u2029", " \n ", "\n\xa0\n", "\r\r\n", "\n\u3000\n", "\t\n")
# Lines of the kinds a news page is made of, in several languages and scripts.
LINES = (
    "Storm closes schools across the region",
    "Schools across the region closed on Tuesday as a storm brought heavy snow and strong winds, "
    "officials said, and more snow is expected later in the week.",
    "By Jane Doe, Science Correspondent", "Published 12 March 2024, 14:05", "5 min read", "READ MORE:",
    "Subscribe to continue reading", "Already a subscriber? Log in", "Allerede abonnent? Logg på",
    "Diese Geschichte stammt aus der Ausgabe vom 3. März 2024 von Der Spiegel.",
    "Start your 7-day free trial", "Share this article", "© 2024 Example News Ltd. All rights reserved.",
    "Home | World | Business | Sport", "Most read", "ALSO READ: Markets rally as inflation cools",
    "Путин и Ким подписали договор о стратегическом партнёрстве.", "普京与金正恩签署条约。",
    "بوتين وكيم يوقعان معاهدة الشراكة الاستراتيجية", "ראש הממשלה נפגש היום עם שר החוץ.",
    "東京都は新たな対策を発表した。", "Regjeringen la fram statsbudsjettet i dag.", "🔥 Breaking 🔥",
    "TOP STORIES", "Sign up for our newsletter", "Accept cookies", "·", "—", "12", "https://example.com/a?b=c",
)


def check_page(text: str, spans: Sequence[Span]) -> None:
    """Assert the span contract for one page (linear in the length of the text)."""
    prev = 0
    for s in spans:
        assert isinstance(s, Span), s
        assert prev <= s.start < s.end <= len(text), f"span {s} out of order or out of range (previous end {prev})"
        piece = text[s.start:s.end]
        # What lies between spans is whitespace only: every other character is in exactly one span.
        assert text[prev:s.start].isspace() or prev == s.start, f"non-space text before {s} is in no span"
        assert not piece[0].isspace() and not piece[-1].isspace(), f"span {s} has leading/trailing space"
        assert s.label in LABELS, s
        assert 0.0 <= s.score <= 1.0 and 0.0 <= s.lang_score <= 1.0, s
        assert isinstance(s.lang, str) and s.lang, s
        prev = s.end
    assert prev == len(text) or text[prev:].isspace(), "non-space text after the last span is in no span"


def kept(text: str, spans: Sequence[Span], keep: Sequence[str]) -> str:
    """What ``clean(text, keep)`` must return: the kept spans joined with newlines."""
    return "\n".join(text[s.start:s.end] for s in spans if s.label in keep)


# ---- random generation without hypothesis (for the soak run) --------------------------------------

def random_unicode(rng: random.Random, max_len: int = 400) -> str:
    """A string of random code points (any plane, surrogates included) and special characters."""
    n = rng.randrange(max_len + 1)
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            out.append(rng.choice(SPECIAL))
        elif r < 0.55:
            out.append(chr(rng.randrange(0x20, 0x7f)))
        elif r < 0.75:
            out.append(chr(rng.randrange(0x80, 0x3000)))
        else:
            out.append(chr(rng.randrange(0x110000)))
    return "".join(out)


def random_page(rng: random.Random, pages: Sequence[str] = (), max_lines: int = 40) -> str:
    """A real-looking page (a given one, or lines of LINES), then mutated a few times."""
    if pages and rng.random() < 0.5:
        text = rng.choice(pages)
    else:
        parts = []
        for _ in range(rng.randrange(max_lines + 1)):
            parts.append(rng.choice(LINES) if rng.random() < 0.85 else random_unicode(rng, 30))
            parts.append(rng.choice(BREAKS))
        text = "".join(parts)
    for _ in range(rng.randrange(6)):
        text = mutate(rng, text)
    return text


def mutate(rng: random.Random, text: str) -> str:
    """One random edit: insert, delete, duplicate, swap breaks, truncate, shout or repeat a line."""
    n = len(text)
    i = rng.randrange(n + 1)
    j = min(n, i + rng.randrange(1, 200))
    op = rng.randrange(8)
    if op == 0:
        return text[:i] + random_unicode(rng, 20) + text[i:]
    if op == 1:
        return text[:i] + text[j:]
    if op == 2:
        return text[:j] + text[i:j] * rng.randrange(1, 5) + text[j:]
    if op == 3:
        return text.replace("\n", rng.choice(BREAKS))
    if op == 4:
        return text[:i]
    if op == 5:
        return text[:i] + text[i:j].upper() + text[j:]
    if op == 6:
        return text[:i] + rng.choice(SPECIAL) * rng.randrange(1, 50) + text[i:]
    lines = text.splitlines(keepends=True) or [""]
    return "".join(lines + [rng.choice(lines)] * rng.randrange(1, 30))
