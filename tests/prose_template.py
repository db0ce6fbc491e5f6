"""Pages of a made-up news site whose furniture is written as English prose.

The packaged model has no cue to go on here: the furniture is in the
article's language, in full sentences that end with a full stop, placed
between the article's paragraphs.  Only its recurrence from page to page
gives it away, which is what `langsplit train --add` and batch statistics
are for.  Articles are real English news prose from the training data's
held-out share (never taught to the packaged model).
"""

from __future__ import annotations

import random
from functools import lru_cache

SITE = "The Harbour Gazette"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DESKS = ["night desk", "city desk", "politics desk", "business desk", "science desk"]
EDITORS = ["Maren Holt", "Ife Adeyemi", "Tomas Varga", "Lucy Brandt", "Owen Pryce", "Nadia Kerr"]

# Furniture sentences; {} slots take the page's values so no two pages are identical.
TOP = [
    "You are reading one of {n} free articles that {site} offers each month to readers without an account.",
    "This story was edited by our {desk} and last checked by {editor} on {date}.",
]
MIDDLE = [
    "Members of the Gazette Circle read every story in full, receive the weekly print digest and are invited to our reader evenings.",
    "If you value independent local reporting, please consider joining the Circle for less than the price of a coffee each week.",
    "Our journalists are paid by readers like you, and advertising now covers less than a fifth of what the newsroom costs to run.",
]
BOTTOM = [
    "We correct our mistakes openly, and every correction made in the last year is listed on our corrections page.",
    "Comments on this article are open to members and are moderated according to our community guidelines.",
    "Thank you for reading {site}; the next story in your morning briefing will load when you scroll further down.",
    "Copyright {year} {site} Limited, all rights reserved, and no part of this page may be copied without permission.",
]


@lru_cache(maxsize=1)
def english_articles() -> list[dict]:
    """English articles of the held-out share of the training data (title and paragraphs)."""
    from training.corpus import Resources, is_dev_article

    res = Resources.load()
    docs = [d for d in res.articles if d["lang"] == "en" and is_dev_article(d["id"])
            and d.get("title") and 3 <= len(d["paragraphs"]) <= 30]
    return sorted(docs, key=lambda d: d["id"])


def _fill(sentence: str, rng: random.Random) -> str:
    return sentence.format(
        n=rng.choice([3, 4, 5, 10]), site=SITE, desk=rng.choice(DESKS), editor=rng.choice(EDITORS),
        date=f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.choice([2025, 2026])}",
        year=rng.choice([2025, 2026]))


def page(index: int, seed: int = 0) -> dict:
    """One labelled page (gold format) of the template, with article number ``index``."""
    rng = random.Random(f"{seed}:{index}")
    articles = english_articles()
    doc = articles[index % len(articles)]
    others = [articles[(index + k) % len(articles)] for k in (7, 13, 29)]
    parts: list[tuple[str, str]] = [(doc["title"], "body")]
    parts += [(_fill(s, rng), "chrome") for s in TOP if rng.random() < 0.9]
    paras = doc["paragraphs"]
    cut = max(1, len(paras) // 2)
    parts += [(p, "body") for p in paras[:cut]]
    parts += [(_fill(s, rng), "chrome") for s in MIDDLE if rng.random() < 0.85]
    parts += [(p, "body") for p in paras[cut:]]
    parts += [(_fill(s, rng), "chrome") for s in BOTTOM if rng.random() < 0.85]
    parts.append(("More from the Gazette", "chrome"))
    parts += [(o["title"], "teaser") for o in others]
    text, lines = "", []
    for line, label in parts:
        lines.append({"start": len(text), "end": len(text) + len(line), "label": label})
        text += line + "\n\n"
    return {"id": f"gazette-{seed}-{index}", "text": text, "lines": lines, "coarse": False}
