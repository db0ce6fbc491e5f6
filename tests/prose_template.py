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
    "This report is part of a year-long series on the changing coastline, published every {weekday} until the end of {year}.",
    "It was produced with support from the Harbour Foundation, which has no say over what is written or where it appears.",
]
MIDDLE = [
    "Members of the Gazette Circle read every story in full, receive the weekly print digest and are invited to our reader evenings.",
    "If you value independent local reporting, please consider joining the Circle for less than the price of a coffee each week.",
    "Our journalists are paid by readers like you, and advertising now covers less than a fifth of what the newsroom costs to run.",
]
BOTTOM = [
    "Coverage of the county council is led by {editor}, who has reported on local politics from the {desk} for more than a decade.",
    "Readers who have lived through similar events are invited to share their experiences with the newsroom by letter or by email.",
    "The full series, including the earlier reports mentioned here, is collected in the coastline section of the website.",
    "Tomorrow's edition continues the story with a report from the harbour master's office and the fishermen's association.",
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
        weekday=rng.choice(["Monday", "Thursday", "Saturday"]), site=SITE, desk=rng.choice(DESKS),
        editor=rng.choice(EDITORS),
        date=f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.choice([2025, 2026])}",
        year=rng.choice([2025, 2026]))


def page(index: int, seed: int = 0) -> dict:
    """One labelled page (gold format) of the template, with article number ``index``."""
    rng = random.Random(f"{seed}:{index}")
    articles = english_articles()
    doc = articles[index % len(articles)]
    others = [articles[(index + k) % len(articles)] for k in (7, 13, 29)]
    parts: list[tuple[str, str]] = [(doc["title"], "body")]
    parts += [(_fill(s, rng), "chrome") for s in TOP]
    paras = doc["paragraphs"]
    cut = max(1, len(paras) // 2)
    parts += [(p, "body") for p in paras[:cut]]
    parts += [(_fill(s, rng), "chrome") for s in MIDDLE]
    parts += [(p, "body") for p in paras[cut:]]
    parts += [(_fill(s, rng), "chrome") for s in BOTTOM]
    parts.append(("More from the Gazette", "chrome"))
    parts += [(o["title"], "teaser") for o in others]
    text, lines = "", []
    for line, label in parts:
        lines.append({"start": len(text), "end": len(text) + len(line), "label": label})
        text += line + "\n\n"
    return {"id": f"gazette-{seed}-{index}", "text": text, "lines": lines, "coarse": False}
