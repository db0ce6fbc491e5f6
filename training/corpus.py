"""Build the synthetic training corpus: real article prose wrapped in furniture.

Inputs (all committed under training/data/, sources and licences in training/SOURCES.md):
- articles/*.jsonl.gz: real news/article prose from openly licensed corpora;
- headlines/*.jsonl.gz: real headlines with their first sentence, for teaser lists;
- chrome/<family>.json: furniture of template families in many reader locales;
- locales.json: dates, read times, section names, outlets and names per locale.

Every page is made from one article, one primary template family, some
add-on families (cookie banners, share bars, ...) and one reader locale,
with the variation real pages have: ALL-CAPS buttons, glued buttons,
doubled blocks, unfilled placeholders, blank-line styles, CRLF; and with the
hard cases of real pages: other articles' headlines and whole-sentence blurbs
right under the body and "ALSO READ:" links between its paragraphs, both in
the article's own language.

Splits are made so that the dev figures measure what the held-out sets
measure: dev families and dev locales never appear in training pages, and
dev articles (and their headlines) never appear in training pages either.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Families that make a whole page's character; the others are add-ons that
# appear on top of any page (banners, share bars, footers, ...).
ADDON_FAMILIES = {
    "consent_cookie_banner", "share_print_gift_listen_bar", "comments_section",
    "app_download_prompt", "ad_markers", "site_footer", "site_breadcrumbs_sections",
    "site_newsletter_signup", "site_related_most_read", "site_navigation",
}
# Held out of training, for the unseen-template and unseen-locale dev figures.
DEV_FAMILIES = {"newsstand_readly_like", "app_flipboard_like", "paywall_hard", "comments_section"}
DEV_LOCALES = {"da", "pl", "ko", "ro"}

# Share of pages whose site add-ons (newsletter box, footer, cookie banner) are in the
# article's language rather than the reader's locale. 0.5 cost the quick model 0.01
# macro-F1 on dev_locale (it leans on reader-locale furniture), so it stays off for now.
OWN_SITE = 0.0

# How often a block of short lines (a menu, a link row) is copied as one line. More
# (0.25-0.3 for footers and menus) and joined menus in the text model's furniture lines
# both measured worse on dev_locale; one-line footers were already chrome in probes.
MENU_JOIN = 0.12
JOINED_FURNITURE = False

# User posts read like comments, not articles: as "body" they would teach the model
# that "Great service, would recommend!" belongs to the article.
EXCLUDED_GENRES = {"answers", "reviews"}

# Real news articles run to 10-60 paragraphs of 1-3 sentences, often with sub-headings, and
# the teaser lists come after all of that. Most source documents are short (UD treebank
# documents have 2-7 "paragraphs"), so this share of pages gets a long article: a long
# document as it is, or several documents of the same language and source joined, and
# often re-paragraphed news-style. The other pages keep the old length distribution.
LONG_SHARE = 0.35
LONG_MIN, LONG_MAX, LONG_MODE = 12, 60, 16
# Of long articles: how many are re-paragraphed into 1-3 sentence paragraphs, and how
# many have sub-headings between paragraphs.
NEWS_PARAGRAPHS = 0.6
SUBHEADINGS = 0.15

CHROME_SLOTS = ("top", "source_line", "inline", "paywall", "after", "teaser_header", "footer")
TEASER_SLOTS = ("teaser_meta", "inline_teaser")


def _stable_hash(s: str) -> int:
    return int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:8], "big")


def _read_jsonl_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Resources:
    articles: list[dict]
    headlines: dict[str, list[dict]]
    families: dict[str, dict]
    locales: dict[str, dict]
    pages: list[dict] = field(default_factory=list)

    @classmethod
    def load(cls, data: Path = DATA) -> "Resources":
        articles = []
        seen: set[str] = set()  # the same Wikinews story can come from two corpora
        for p in sorted((data / "articles").glob("*.jsonl.gz")):
            for doc in _read_jsonl_gz(p):
                if doc.get("genre") in EXCLUDED_GENRES:
                    continue
                paras = [x.strip() for x in doc.get("paragraphs", []) if x and x.strip()]
                key = re.sub(r"\W+", "", (doc.get("title") or "") + " ".join(paras)[:200]).lower()
                if len(paras) >= 2 and key not in seen:
                    seen.add(key)
                    doc["paragraphs"] = paras
                    articles.append(doc)
        headlines: dict[str, list[dict]] = {}
        for p in sorted((data / "headlines").glob("*.jsonl.gz")):
            headlines[p.name.split(".")[0]] = [h for h in _read_jsonl_gz(p) if h.get("headline")]
        families = {}
        for p in sorted((data / "chrome").glob("*.json")):
            fam = json.loads(p.read_text(encoding="utf-8"))
            families[fam.get("family", p.stem)] = fam
        locales_path = data / "locales.json"
        locales = json.loads(locales_path.read_text(encoding="utf-8")) if locales_path.exists() else {}
        return cls(articles, headlines, families, locales)


def is_dev_article(doc_id: str) -> bool:
    return _stable_hash("article:" + doc_id) % 100 < 15


_FALLBACK_LOCALE = {
    "months": ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"],
    "date_formats": ["{month} {d}, {yyyy}", "{d} {month} {yyyy}"],
    "read_time": ["{n} min read"],
    "sections": ["News", "World", "Business", "Sport", "Culture"],
    "outlets": ["The Daily Courier", "The Evening Post"],
    "author_names": ["Alex Morgan", "Sam Taylor"],
}


class PageMaker:
    """Makes labelled pages from resources, deterministically from a seed."""

    def __init__(self, res: Resources, families: list[str], locales: list[str], articles: list[dict],
                 headline_filter=None):
        self.res = res
        self.primary = [f for f in families if f not in ADDON_FAMILIES] or families
        self.addons = [f for f in families if f in ADDON_FAMILIES]
        self.locales = locales
        self.articles = articles
        self.by_lang: dict[str, list[dict]] = {}
        self.by_source: dict[tuple, list[dict]] = {}
        for doc in articles:
            self.by_lang.setdefault(doc["lang"], []).append(doc)
            self.by_source.setdefault((doc["lang"], doc.get("source")), []).append(doc)
        self.langs = sorted(self.by_lang)
        # Titles of news articles (Wikinews, newspaper treebanks) are real headlines in their
        # language; other languages only have sentences cut to headline length.
        self.titled = {lang: [d for d in docs if 12 <= len(d.get("title") or "") <= 140 and " " in d["title"]]
                       for lang, docs in self.by_lang.items()}
        keep = headline_filter or (lambda h: True)
        self.headlines = {lang: [h for h in hs if keep(h)] for lang, hs in res.headlines.items()}

    # ---- small helpers -------------------------------------------------
    def _loc(self, locale: str) -> dict:
        return self.res.locales.get(locale) or self.res.locales.get("en") or _FALLBACK_LOCALE

    def _date(self, rng: random.Random, locale: str) -> str:
        loc = self._loc(locale)
        if rng.random() < 0.2:  # aggregators often print dates in English whatever the locale
            loc = self._loc("en")
        fmt = rng.choice(loc.get("date_formats") or _FALLBACK_LOCALE["date_formats"])
        m = rng.randrange(12)
        d = rng.randint(1, 28)
        y = rng.randint(2015, 2026)
        months = loc.get("months") or _FALLBACK_LOCALE["months"]
        months_short = loc.get("months_short") or [x[:3] for x in months]
        weekdays = loc.get("weekdays") or ["Monday"]
        try:
            return fmt.format(d=d, dd=f"{d:02d}", m=m + 1, mm=f"{m + 1:02d}", yyyy=y, yy=f"{y % 100:02d}",
                              month=months[m % len(months)], mon=months_short[m % len(months_short)],
                              HH=f"{rng.randint(6, 23):02d}", MM=f"{rng.randrange(60):02d}",
                              weekday=rng.choice(weekdays))
        except (KeyError, IndexError, ValueError):
            return f"{d:02d}.{m + 1:02d}.{y}"

    def _count(self, rng: random.Random, locale: str) -> str:
        fmt = self._loc(locale).get("count_format") or {}
        sep = fmt.get("thousands_sep", ",")
        n = rng.choice([1000, 5000, 7000, 8000, 9000, 10000, 12000, 100000])
        s = f"{n:,}".replace(",", sep)
        return s + fmt.get("plus_suffix", "+")

    def _price(self, rng: random.Random, locale: str) -> str:
        cur = self._loc(locale).get("currency") or ["${x}"]
        x = rng.choice(["0.99", "1", "2.99", "4.99", "9.99", "12", "1,99", "79"])
        try:
            return rng.choice(cur).format(x=x)
        except (KeyError, IndexError, ValueError):
            return "$" + x

    def _fill(self, line: str, rng: random.Random, ctx: dict) -> str:
        if rng.random() < 0.03:
            return line  # a template left unfilled, as in "{{IssueName}}" on live pages
        if "{" not in line:
            return line
        unfilled = rng.random() < 0.04

        def sub(m: re.Match) -> str:
            key = m.group(1)
            if unfilled:
                return "{{" + _PLACEHOLDER.get(key, key[:1].upper() + key[1:] + "Name") + "}}"
            if key == "OUTLET":
                return ctx["outlet"].upper()
            if key in ("date", "n", "count", "price", "year"):
                return {"date": lambda: self._date(rng, ctx["locale"]), "n": lambda: str(rng.randint(1, 30)),
                        "count": lambda: self._count(rng, ctx["locale"]),
                        "price": lambda: self._price(rng, ctx["locale"]),
                        "year": lambda: str(rng.randint(2015, 2026))}[key]()
            if key == "section":
                return rng.choice(self._loc(ctx["locale"]).get("sections") or ["News"])
            if key == "author":
                return rng.choice(self._loc(ctx["locale"]).get("author_names") or ["Alex Morgan"])
            return str(ctx.get(key, m.group(0)))

        return re.sub(r"\{(\w+)\}", sub, line)

    def _vary(self, line: str, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.08:
            return line.upper()
        if r < 0.12:
            return re.sub(r"\s*([?!:])", r" \1", line)  # "Allerede abonnent ? Logg på"
        if r < 0.15 and line[-1:] in ".!":
            return line[:-1]
        if r < 0.17:
            return line + rng.choice(["  |", " |", " ›", " »", " >"])
        return line

    def _slot_blocks(self, fam: dict, locale: str, slot: str) -> list[list[str]]:
        blocks = (fam.get("locales", {}).get(locale) or {}).get(slot) or []
        return [b for b in blocks if isinstance(b, list) and b]

    def _chrome_block(self, rng, fam, ctx, slot, label) -> list[tuple[str, str]]:
        blocks = self._slot_blocks(fam, ctx["locale"], slot)
        if not blocks:
            return []
        block = rng.choice(blocks)
        out = []
        for line in block:
            if not isinstance(line, str) or not line.strip():
                continue
            text = self._vary(self._fill(line.strip(), rng, ctx), rng)
            if text.strip():
                out.append((text, label))
        # Menus and link rows copied as one line ("Impressum Datenschutz AGB Kontakt").
        if len(out) >= 3 and rng.random() < MENU_JOIN and all(len(t) < 30 for t, _ in out):
            out = [(_join_menu(rng, [t for t, _ in out]), label)]
        # Buttons glued to the heading before them ("MORE STORIES FROM XView all").
        if len(out) >= 2 and rng.random() < 0.12 and len(out[-1][0]) < 25:
            out[-2:] = [(out[-2][0] + out[-1][0], label)]
        return out

    def _related(self, rng: random.Random, ctx: dict) -> tuple[str, str | None] | None:
        """A headline on the article's own story, as "related" links and lists often are.

        Made from a sentence of the article that the page does not show (or, for
        short articles, a later sentence of a shown paragraph), cut to headline length.
        """
        pool = ctx.get("unused") or ctx.get("later") or []
        if not pool:
            return None
        sents = [x for x in re.split(r"(?<=[.!?。！？])\s*", rng.choice(pool)) if len(x) > 20]
        if not sents:
            return None
        head = _shorten(rng.choice(sents), rng)
        blurb = rng.choice(sents) if rng.random() < 0.5 else None
        return head, blurb

    def _headline(self, rng: random.Random, lang: str, exclude: str, ctx: dict | None = None,
                  related: float = 0.0) -> tuple[str, str | None]:
        if ctx is not None and rng.random() < related:
            got = self._related(rng, ctx)
            if got:
                return got
        pool = self.headlines.get(lang)
        if pool and rng.random() < 0.6:
            h = rng.choice(pool)
            return h["headline"], h.get("blurb")
        docs = self.by_lang.get(lang) or self.articles
        if self.titled.get(lang) and rng.random() < 0.7:
            docs = self.titled[lang]
        for _ in range(5):
            doc = rng.choice(docs)
            if doc["id"] == exclude or (ctx is not None and doc["id"] in ctx.get("parts", ())):
                continue
            first = doc["paragraphs"][0]
            sents = [x for x in re.split(r"(?<=[.!?。！？])\s*", first) if x.strip()] or [first]
            head = doc.get("title") or _shorten(sents[0], rng)
            if doc.get("title"):
                blurb = sents[0]
            elif len(sents) > 1 and len(sents[1]) > 30 and rng.random() < 0.5:
                blurb = sents[1]  # standfirsts are whole sentences as often as cut ones
            else:
                blurb = _shorten(doc["paragraphs"][-1], rng, 30)
            return head, blurb
        return "Latest news", None

    # ---- page parts ----------------------------------------------------
    def _body(self, rng, doc, ctx) -> list[list[tuple[str, str]]]:
        """The article as blocks of (line, label); each paragraph its own block."""
        blocks = []
        title = doc.get("title")
        if title and rng.random() < 0.92:
            t = title.upper() if rng.random() < 0.05 else title
            blocks.append([(t, "body")])
        paras = list(doc["paragraphs"])
        if rng.random() < 0.25 and len(paras) > 3:  # a standfirst: a short first sentence set apart
            sents = re.split(r"(?<=[.!?])\s+", paras[0])
            if len(sents[0]) < 200:
                # Moved, not copied: a real standfirst is not printed again below.
                stand = sents[0] if rng.random() < 0.6 else sents[0].rstrip(".")
                blocks.append([(stand, "body")])
                if len(sents) > 1:
                    paras[0] = " ".join(sents[1:])
                elif stand == paras[0]:
                    paras.pop(0)  # a one-sentence paragraph moved whole
        if rng.random() < 0.5:
            loc = ctx["article_locale"]
            author = rng.choice(self._loc(loc).get("author_names") or ["Alex Morgan"])
            by = _BYLINE_WORD.get(loc, "")
            forms = [author, author.upper(), f"{author}, {ctx['outlet']}"]
            if by:
                forms += [f"{by} {author}", f"{by} {author}", f"{by} {rng.choice(_STAFF.get(loc, [author]))}"]
            byline = [(rng.choice(forms), "body")]
            box = _AUTHOR_BOX.get(loc)
            if box and rng.random() < 0.3:
                # The author box around a byline: photo alt text, role, follow/email buttons.
                if rng.random() < 0.5:
                    byline.insert(0, (rng.choice(box["photo"]), "chrome"))
                byline += [(x, "chrome") for x in rng.sample(box["after"], k=rng.randint(1, 2))]
            blocks.append(byline)
        if rng.random() < 0.15:
            # A picture: its caption is part of the article, its credit line is furniture.
            # Captions are often headline-like phrases without a full stop.
            sent = re.split(r"(?<=[.!?])\s+", rng.choice(paras))[0]
            if rng.random() < 0.4:
                sent = _shorten(sent, rng, 14)
            if len(sent) < 160:
                blocks.append([(sent, "body")])
            blocks.append([(f"{rng.choice(_PHOTO_WORDS)}: {rng.choice(_AGENCIES)}", "chrome")])
        if title and rng.random() < 0.15:  # aggregators repeat the headline above the text
            blocks.append([(title, "body")])
        n = len(paras)
        shown = paras
        long = bool(doc.get("long"))
        if long:
            ctx["unused"] = list(doc.get("unused") or [])
        else:
            if n > 14:
                start = rng.randrange(0, n - 8) if rng.random() < 0.3 else 0
                shown = paras[start:start + rng.randint(6, 14)]
            if rng.random() < 0.1 and len(shown) > 2:  # a short piece
                shown = shown[: rng.randint(1, 2)]
            ctx["unused"] = [p for p in paras if p not in shown]
        ctx["later"] = [p for p in shown[1:] if len(p) > 80]
        paras = shown
        # Sub-headings every few paragraphs, and pictures (caption + credit) in the middle.
        subheads = long and rng.random() < SUBHEADINGS
        sub_style = rng.choice(["plain", "plain", "plain", "title", "title", "caps", "colon"])
        next_sub = rng.randint(2, 6)
        pictures = set()
        if long and len(paras) > 3 and rng.random() < 0.3:
            pictures = {rng.randrange(2, len(paras)) for _ in range(rng.randint(1, 2))}
        for i, p in enumerate(paras):
            if i == 0 and rng.random() < 0.05:
                words = p.split(" ")
                p = " ".join(w.upper() for w in words[:3]) + " " + " ".join(words[3:])
            if subheads and i == next_sub and i < len(paras) - 1:
                head = _subheading(paras[i:i + 3], doc["lang"], rng, sub_style)
                if head:
                    blocks.append([(head, "body")])
                next_sub = i + rng.randint(3, 8)
            if i in pictures:
                sent = _sentences(rng.choice(paras), doc["lang"])[0]
                if rng.random() < 0.3:
                    sent = _shorten(sent, rng, 14)
                credit = (f"{rng.choice(_PHOTO_WORDS)}: {rng.choice(_AGENCIES)}", "chrome")
                if len(sent) < 160:
                    blocks.append([(sent, "body"), credit] if rng.random() < 0.7 else [credit, (sent, "body")])
            blocks.append([(p, "body")])
        return blocks

    def _long_article(self, rng: random.Random, doc: dict) -> dict:
        """A long article (LONG_MIN-LONG_MAX paragraphs) starting with doc.

        A long document is used as it is; a short one is followed by other documents of
        the same language from the same source (then any source), all from this maker's
        articles, so a dev article never borrows training prose and vice versa. The first
        document's title stays. News-style pages split paragraphs into 1-3 sentences.
        """
        target = int(rng.triangular(LONG_MIN, LONG_MAX, LONG_MODE))
        lang = doc["lang"]
        news = rng.random() < NEWS_PARAGRAPHS

        def parts_of(d: dict) -> list[str]:
            return _reparagraph(d["paragraphs"], lang, rng) if news else list(d["paragraphs"])

        paras = parts_of(doc)
        ids = [doc["id"]]
        if len(paras) < target:
            same = [d for d in self.by_source.get((lang, doc.get("source")), []) if d["id"] != doc["id"]]
            others = [d for d in self.by_lang.get(lang, []) if d.get("source") != doc.get("source")]
            pool = rng.sample(same, k=min(len(same), 40)) + rng.sample(others, k=min(len(others), 40))
            for d in pool:
                if len(paras) >= target:
                    break
                paras += parts_of(d)
                ids.append(d["id"])
        unused = paras[target:]
        if len(paras) > target:
            start = rng.randrange(0, len(paras) - target) if len(ids) == 1 and rng.random() < 0.2 else 0
            unused = paras[:start] + paras[start + target:]
            paras = paras[start:start + target]
        return {**doc, "paragraphs": paras, "long": True, "parts": ids, "unused": unused[:20]}

    def _tags(self, rng: random.Random, doc: dict) -> list[tuple[str, str]]:
        """A topic-tag list made of the article's own names: furniture that shares the article's words."""
        names = re.findall(r"\b[A-ZÀ-Þ][\w'’-]+(?: [A-ZÀ-Þ][\w'’-]+)*", " ".join(doc["paragraphs"][:6]))
        names = list(dict.fromkeys(n for n in names if len(n) > 3))
        if len(names) < 2:
            return []
        tags = rng.sample(names, k=min(len(names), rng.randint(2, 5)))
        style = rng.random()
        if style < 0.4:
            return [(t, "chrome") for t in tags]
        sep = rng.choice([" ", ", ", " · ", " | ", " / "])
        prefix = rng.choice(["", "", "Topics: ", "Tags: ", "Themen: ", "Emner: ", "Sujets : ", "#"])
        return [(prefix + sep.join(tags), "chrome")]

    def _teaser_item(self, rng, lang, ctx, fam, layout, need_blurb=False) -> list[tuple[str, str]]:
        head, blurb = self._headline(rng, lang, ctx["doc_id"], ctx, related=0.25)
        for _ in range(3 if need_blurb else 0):
            if blurb and len(blurb) > 60:
                break
            head, blurb = self._headline(rng, lang, ctx["doc_id"], ctx, related=0.25)
        if rng.random() < 0.06:
            head = head.upper()
        outlet = ctx["outlet"]
        metas = self._slot_blocks(fam, ctx["locale"], "teaser_meta")
        meta = [(self._fill(x, rng, ctx), "teaser") for x in rng.choice(metas)] if metas else []
        if not meta or rng.random() < 0.3:
            loc = self._loc(ctx["locale"])
            options = (loc.get("read_time") or []) + (loc.get("relative_time") or [])
            if options:
                meta = [(self._fill(rng.choice(options), rng, ctx), "teaser")]
        date = (self._date(rng, ctx["locale"]), "teaser")
        if layout == "magzter":
            item = [(head, "teaser"), (outlet, "teaser"), (head, "teaser")]
            if blurb:
                item.append((blurb, "teaser"))
            return item + meta + [date]
        if layout == "head_blurb":
            return [(head, "teaser")] + ([(blurb, "teaser")] if blurb else [])
        if layout == "head_only":
            return [(head, "teaser")]
        if layout == "head_date":
            return [(head, "teaser"), date]
        if layout == "outlet_first":
            return [(outlet, "teaser"), (head, "teaser")] + ([(blurb, "teaser")] if blurb else []) + meta
        if layout == "head_blurb_meta":
            return [(head, "teaser")] + ([(blurb, "teaser")] if blurb else []) + meta + \
                ([date] if rng.random() < 0.4 else [])
        if layout == "meta_first":
            first = [date] if rng.random() < 0.5 else meta[:1] or [date]
            return first + [(head, "teaser")] + ([(blurb, "teaser")] if blurb else [])
        return [(head, "teaser")] + meta

    def _near_teasers(self, rng, lang, ctx) -> list[list[tuple[str, str]]]:
        """Other articles right under this one, in its own language ("More from Asia", "Related").

        Their blurbs are whole sentences that read like one more paragraph: only the
        headline, date and read-time lines around them (and the header, when there is
        one) tell them apart, so they come with and without all of those.
        """
        lctx = {**ctx, "locale": lang} if lang in self.locales and rng.random() < 0.8 else ctx
        fams = [self.res.families[f] for f in self.primary + self.addons]
        with_header = [f for f in fams if self._slot_blocks(f, lctx["locale"], "teaser_header")]
        fam = rng.choice(with_header or fams)
        blocks = []
        if rng.random() < 0.55:
            header = self._chrome_block(rng, fam, lctx, "teaser_header", "chrome")
            if header:
                blocks.append(header)
        layout = rng.choice(["head_blurb", "head_blurb", "head_blurb_meta", "head_blurb_meta", "meta_first",
                             "outlet_first", "magzter"])
        items = []
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
            # A long blurb is the point here: the hard case is a sentence that could be body.
            items.append(self._teaser_item(rng, lang, lctx, fam, layout, need_blurb=True))
        style = rng.random()
        if style < 0.5:
            blocks.extend(items)  # a blank line between items
        elif style < 0.75:
            blocks.append([x for item in items for x in item])  # one run of lines
        else:
            blocks.extend([x] for item in items for x in item)  # a blank line after every line
        return blocks

    def _inline_teaser(self, rng, lang, doc, ctx) -> list[tuple[str, str]]:
        # "ALSO READ:" links are the publisher's, so mostly in the article's language,
        # and universal: take the prefix from any family that has one.
        link_ctx = {**ctx, "locale": lang} if lang in self.locales and rng.random() < 0.8 else ctx
        with_prefix = [self.res.families[f] for f in self.primary + self.addons
                       if self._slot_blocks(self.res.families[f], link_ctx["locale"], "inline_teaser")]
        pre = self._chrome_block(rng, rng.choice(with_prefix), link_ctx, "inline_teaser", "teaser") \
            if with_prefix and rng.random() < 0.85 else []
        head, _ = self._headline(rng, lang, doc["id"], ctx, related=0.5)
        if pre and rng.random() < 0.6:
            return [(pre[0][0] + " " + head, "teaser")]
        return pre + [(head, "teaser")]

    def _teaser_list(self, rng, lang, ctx, fam, need_blurb=False, most=10) -> list[list[tuple[str, str]]]:
        blocks = []
        # Many lists follow the article with no heading at all.
        header = self._chrome_block(rng, fam, ctx, "teaser_header", "chrome") if rng.random() < 0.7 else []
        if header:
            blocks.append(header)
        layout = rng.choice(["magzter", "head_blurb", "head_blurb", "head_only", "head_date", "outlet_first", "meta"])
        for _ in range(rng.randint(2, most)):
            blocks.append(self._teaser_item(rng, lang, ctx, fam, layout, need_blurb=need_blurb))
        return blocks

    def make(self, seed: int) -> dict:
        rng = random.Random(seed)
        # English articles dominate what people clean; the other languages share the rest.
        lang = "en" if "en" in self.by_lang and rng.random() < 0.4 else rng.choice(self.langs)
        doc = rng.choice(self.by_lang[lang])
        if rng.random() < LONG_SHARE:
            doc = self._long_article(rng, doc)
        fam_name = rng.choice(self.primary)
        fam = self.res.families[fam_name]
        r = rng.random()
        fam_locales = [l for l in self.locales if l in fam.get("locales", {})]
        if r < 0.35 and lang in fam_locales:
            locale = lang
        elif r < 0.5 and "en" in fam_locales:
            locale = "en"
        else:
            locale = rng.choice(fam_locales)
        art_loc = lang if lang in self.res.locales else "en"
        outlet = rng.choice(self._loc(art_loc).get("outlets") or _FALLBACK_LOCALE["outlets"])
        brands = fam.get("brands") or [outlet]
        ctx = {"locale": locale, "article_locale": art_loc, "outlet": outlet, "brand": rng.choice(brands),
               "title": doc.get("title") or "", "doc_id": doc["id"], "parts": set(doc.get("parts") or [doc["id"]])}
        addons = rng.sample(self.addons, k=min(len(self.addons), rng.choice([0, 0, 1, 1, 2, 3])))
        fams = [self.res.families[fam_name]] + [self.res.families[a] for a in addons]
        bare = rng.random() < 0.07  # some pages are just the article
        # On a publisher's own page the site furniture (newsletter box, footer, cookie banner,
        # "Related") is in the article's language: the same language as the body, so only its
        # wording and place give it away.
        own_site = lang in self.locales and rng.random() < OWN_SITE
        site_ctx = {**ctx, "locale": lang}

        def cx(f: dict) -> dict:
            own = own_site and f.get("family") in ADDON_FAMILIES and lang in f.get("locales", {})
            return site_ctx if own else ctx

        blocks: list[list[tuple[str, str]]] = []
        if not bare:
            for f in fams:
                if rng.random() < 0.5:
                    blocks.append(self._chrome_block(rng, f, cx(f), "top", "chrome"))
        body = self._body(rng, doc, ctx)
        if not bare and rng.random() < 0.6:
            sf = rng.choice(fams)
            src = self._chrome_block(rng, sf, cx(sf), "source_line", "chrome")
            if src:
                body.insert(min(1, len(body)), src)
        if not bare:
            kinds = [rng.random() < 0.45 for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))]
            if rng.random() < 0.15:
                # Some publishers put an "ALSO READ" link after every other paragraph.
                kinds += [True] * rng.randint(2, 4)
            if doc.get("long"):
                # A long article has more ads and links between its paragraphs.
                kinds += [rng.random() < 0.3 for _ in range(rng.randint(0, len(body) // 10))]
            for is_link in kinds:
                # After the last paragraph too: a link there has body only above it.
                pos = rng.randint(2, max(2, len(body)))
                if is_link:
                    body.insert(pos, self._inline_teaser(rng, lang, doc, ctx))
                else:
                    f = rng.choice(fams)
                    inline = self._chrome_block(rng, f, cx(f), "inline", "chrome")
                    if inline:
                        body.insert(pos, inline)
        blocks.extend(body)
        if not bare and rng.random() < 0.12:
            tags = self._tags(rng, doc)
            if tags:
                blocks.append(tags)
        if not bare and rng.random() < 0.3:
            blocks.extend(self._near_teasers(rng, lang, ctx))
        if not bare:
            if rng.random() < 0.3:
                f = rng.choice(fams)
                pw = self._chrome_block(rng, f, cx(f), "paywall", "chrome")
                if pw:
                    blocks.append(pw)
            after = []
            for f in fams:
                for _ in range(rng.choice([0, 1, 1, 2, 3])):
                    after.append(self._chrome_block(rng, f, cx(f), "after", "chrome"))
            if after and rng.random() < 0.2:
                after = after + after  # aggregators print their notice block twice
            blocks.extend(after)
            if rng.random() < 0.7:
                tl_fam = rng.choice([f for f in fams if self._slot_blocks(f, cx(f)["locale"], "teaser_header")]
                                    or fams)
                tl_lang = lang if rng.random() < 0.85 else (locale if locale in self.by_lang else lang)
                # After a long article, whole-sentence blurbs deep in the page must still read as
                # teasers: lists of them come after half of the long articles, and lists are longer.
                long = bool(doc.get("long"))
                blurbs = long and rng.random() < 0.5
                blocks.extend(self._teaser_list(rng, tl_lang, cx(tl_fam), tl_fam, need_blurb=blurbs,
                                                most=14 if long else 10))
            for f in fams:
                if rng.random() < 0.5:
                    blocks.append(self._chrome_block(rng, f, cx(f), "footer", "chrome"))
        return self._render(rng, [b for b in blocks if b], {
            "id": f"synth-{seed}", "group": fam_name, "family": fam_name, "addons": addons,
            "locale": locale, "lang": lang, "article_id": doc["id"],
            "article_ids": list(doc.get("parts") or [doc["id"]])})

    def _render(self, rng, blocks, info) -> dict:
        style = rng.choice(["double", "double", "single", "mixed"])
        nl = "\r\n" if rng.random() < 0.05 else "\n"
        parts: list[str] = []
        lines = []
        pos = 0
        first = True
        for block in blocks:
            for j, (text, label) in enumerate(block):
                text = text.replace("\r", " ").replace("\n", " ").strip()
                if not text:
                    continue
                if not first:
                    if j == 0 and (style == "double" or (style == "mixed" and rng.random() < 0.5)):
                        sep = nl + nl
                    else:
                        sep = nl
                    parts.append(sep)
                    pos += len(sep)
                first = False
                pad = " " if rng.random() < 0.03 else ""
                parts.append(text + pad)
                lines.append({"start": pos, "end": pos + len(text), "label": label})
                pos += len(text) + len(pad)
        text = "".join(parts)
        return {**info, "dataset": "synthetic", "text": text, "lines": lines, "coarse": False}


# What unfilled template fields are called on live pages ("This story is from the
# {{IssueName}} edition of {{MagazineName}}.").
_PLACEHOLDER = {"date": "IssueName", "outlet": "MagazineName", "OUTLET": "MagazineName", "brand": "BrandName",
                "n": "Count", "count": "Count", "price": "Price", "section": "SectionName", "title": "ArticleTitle",
                "author": "AuthorName", "year": "Year"}
# Author-box furniture next to a byline, in the publisher's (article's) language; none for
# the dev locales, so that their furniture stays unseen.
_AUTHOR_BOX = {
    "en": {"photo": ["Avatar photo", "Author photo", "Profile picture"],
           "after": ["Journalist", "Senior reporter", "Political correspondent", "Follow", "Email", "More by this author",
                     "Staff writer", "Contributor"]},
    "de": {"photo": ["Autorenbild", "Profilbild"],
           "after": ["Redakteur", "Korrespondentin", "Folgen", "E-Mail", "Mehr von diesem Autor", "Autorin"]},
    "fr": {"photo": ["Photo de l'auteur", "Avatar"],
           "after": ["Journaliste", "Correspondant", "Suivre", "E-mail", "Tous ses articles", "Rédactrice"]},
    "es": {"photo": ["Foto del autor", "Avatar"],
           "after": ["Periodista", "Corresponsal", "Seguir", "Correo", "Más artículos del autor", "Redactora"]},
    "it": {"photo": ["Foto dell'autore"], "after": ["Giornalista", "Corrispondente", "Segui", "Email", "Tutti gli articoli"]},
    "pt": {"photo": ["Foto do autor"], "after": ["Jornalista", "Correspondente", "Seguir", "E-mail", "Mais do autor"]},
    "nl": {"photo": ["Auteursfoto"], "after": ["Journalist", "Correspondent", "Volgen", "E-mail", "Meer van deze auteur"]},
    "sv": {"photo": ["Profilbild"], "after": ["Reporter", "Korrespondent", "Följ", "Mejla", "Fler artiklar av skribenten"]},
    "no": {"photo": ["Profilbilde"], "after": ["Journalist", "Korrespondent", "Følg", "E-post", "Flere saker fra journalisten"]},
    "fi": {"photo": ["Kirjoittajan kuva"], "after": ["Toimittaja", "Kirjeenvaihtaja", "Seuraa", "Sähköposti"]},
    "ru": {"photo": ["Фото автора"], "after": ["Корреспондент", "Обозреватель", "Подписаться", "Все материалы автора"]},
    "tr": {"photo": ["Yazar fotoğrafı"], "after": ["Muhabir", "Takip et", "E-posta", "Yazarın diğer yazıları"]},
}
_BYLINE_WORD = {"en": "By", "de": "Von", "fr": "Par", "es": "Por", "it": "Di", "pt": "Por", "nl": "Door",
                "sv": "Av", "no": "Av", "da": "Af", "pl": "Autor:", "ru": "Автор:", "tr": "Yazan:", "cs": "Autor:",
                "ro": "de", "id": "Oleh"}
_STAFF = {"en": ["Editorial staff", "Our correspondent", "Staff reporter", "Agencies", "Reuters"],
          "de": ["Redaktion", "dpa"], "fr": ["La rédaction", "AFP"], "es": ["Redacción", "EFE"],
          "it": ["Redazione"], "pt": ["Redação", "Lusa"], "nl": ["Redactie", "ANP"], "no": ["NTB"],
          "sv": ["TT", "Redaktionen"], "da": ["Ritzau", "Redaktionen"]}
_PHOTO_WORDS = ["Photograph", "Photo", "Image", "Foto", "Bild", "Kuva", "Zdjęcie", "Фото", "写真", "사진",
                "图片", "Fotografía", "Crédit photo", "PHOTO", "Picture"]
_AGENCIES = ["EPA", "AP", "Reuters", "AFP", "Getty Images", "dpa", "NTB", "ANP", "TT", "Ritzau Scanpix",
             "Shutterstock", "AP Photo/Ahn Young-joon", "EPA-EFE", "Bloomberg", "Xinhua", "ANSA", "Kyodo"]


def furniture_lines(res: "Resources", families: list[str], locales: list[str], seed: int = 0) -> list[tuple[str, str, str]]:
    """Every furniture string of the given families and locales, filled in once: (text, label, family)."""
    rng = random.Random(seed)
    maker = PageMaker(res, families, locales, res.articles)
    out = []
    for name in families:
        fam = res.families[name]
        for loc in locales:
            ctx = {"locale": loc, "article_locale": loc, "outlet": rng.choice(
                maker._loc(loc).get("outlets") or _FALLBACK_LOCALE["outlets"]),
                "brand": rng.choice(fam.get("brands") or ["News"]), "title": "", "doc_id": ""}
            for slot in CHROME_SLOTS + TEASER_SLOTS:
                label = "teaser" if slot in TEASER_SLOTS else "chrome"
                for block in maker._slot_blocks(fam, loc, slot):
                    lines = [maker._fill(x.strip(), rng, ctx) for x in block if isinstance(x, str) and x.strip()]
                    out.extend((x, label, name) for x in lines)
                    # A menu copied as one line looks like a headline to a text model that never saw one.
                    if JOINED_FURNITURE and label == "chrome" and len(lines) >= 3 and all(len(x) < 30 for x in lines):
                        out.append((_join_menu(rng, lines), label, name))
    return out


def _join_menu(rng: random.Random, items: list[str]) -> str:
    return rng.choice([" ", " ", "  ", " | ", " · ", " • ", " / ", "\t"]).join(items)


_CJK = {"zh", "ja"}
_ABBREV = re.compile(r"(?:\b[A-ZÀ-Þ]|\b[A-Za-z]\.[A-Za-z]|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Gov|Sen|Rep|Lt|Col|"
                     r"No|Nr|vs|etc|approx|ca|bzw|z\.B|usw|Hr|Fr|Sra|Sr|Dña|Mme|Mlle|M|S\.A|Inc|Ltd|Co|Corp))\.$")


def _sentences(text: str, lang: str) -> list[str]:
    """A simple sentence splitter: enough to re-paragraph prose news-style."""
    if lang in _CJK:
        parts = re.split(r"(?<=[。！？])", text)
    elif lang == "ar":
        parts = re.split(r"(?<=[؟.!])\s+", text)
    else:
        parts = re.split(r"(?<=[.!?])\s+", text)
    out: list[str] = []
    for x in (x.strip() for x in parts):
        if not x:
            continue
        # "the U.S. Treasury", "Mr. Smith", "3 p.m. on Friday": not a sentence end.
        if out and (x[:1].islower() or _ABBREV.search(out[-1])):
            out[-1] += " " + x
        else:
            out.append(x)
    return out or [text]


def _reparagraph(paras: list[str], lang: str, rng: random.Random) -> list[str]:
    """Paragraphs of 1-3 sentences, as news sites print them."""
    out = []
    for p in paras:
        sents = _sentences(p, lang)
        while sents:
            k = rng.choices((1, 2, 3), weights=(4, 4, 2))[0]
            out.append(("" if lang in _CJK else " ").join(sents[:k]))
            sents = sents[k:]
    return out


def _subheading(section: list[str], lang: str, rng: random.Random, style: str) -> str:
    """A sub-heading for the section below it: a short phrase of one of its sentences, no full stop."""
    sents = [x for p in section for x in _sentences(p, lang)]
    sent = sents[0] if rng.random() < 0.5 else rng.choice(sents)
    if lang in _CJK or " " not in sent:
        head = sent[: rng.randint(6, 14)]
    else:
        words = sent.split()
        k = rng.randint(2, 6)
        start = 0 if rng.random() < 0.6 or len(words) < k + 4 else rng.randrange(1, len(words) - k)
        words = words[start:start + k]
        # A heading does not end on "the", "of", "and": drop short trailing words.
        while len(words) > 2 and len(words[-1].strip(",;:\"'“”«»")) <= 3:
            words.pop()
        head = " ".join(words)
        if start:
            head = head[:1].upper() + head[1:]
    head = head.strip().rstrip(".,;:!?。、，:-–— \"'»”")
    if len(head) < 3:
        return ""
    if style == "title" and lang not in _CJK:
        head = " ".join(w[:1].upper() + w[1:] for w in head.split(" "))
    elif style == "caps":
        head = head.upper()
    elif style == "colon":
        head += ":"
    return head


def _shorten(sentence: str, rng: random.Random, max_words: int = 12) -> str:
    words = sentence.split()
    if len(words) <= max_words:
        return sentence.rstrip(".")
    # A clause reads like a headline; a sentence cut mid-phrase ("... and in") does not.
    ends = [k + 1 for k, w in enumerate(words[:max_words]) if k >= 3 and w[-1:] in ",;:–"]
    if ends and rng.random() < 0.7:
        return " ".join(words[: rng.choice(ends)]).rstrip(",;:– ")
    return " ".join(words[: rng.randint(6, max_words)]).rstrip(",;:")


def build(n_train: int = 6000, n_dev: int = 600, seed: int = 0, data: Path = DATA,
          with_train: bool = True) -> dict[str, list]:
    """Make the train pages (with the furniture strings for the text model) and the
    three dev sets (unseen family / locale / article); the dev sets do not depend
    on n_train, so the report can rebuild them alone (with_train=False)."""
    res = Resources.load(data)
    if not res.articles:
        raise SystemExit(f"no articles under {data / 'articles'}")
    all_fams = sorted(res.families)
    all_locs = sorted({loc for f in res.families.values() for loc in f.get("locales", {})})
    train_fams = [f for f in all_fams if f not in DEV_FAMILIES]
    train_locs = [l for l in all_locs if l not in DEV_LOCALES]
    dev_fams = [f for f in all_fams if f in DEV_FAMILIES]
    dev_locs = [l for l in all_locs if l in DEV_LOCALES]
    train_docs = [d for d in res.articles if not is_dev_article(d["id"])]
    dev_docs = [d for d in res.articles if is_dev_article(d["id"])]
    # Headlines of dev articles must not leak into training teasers, and vice versa.
    train_heads = lambda h: not is_dev_article("headline:" + h["headline"])  # noqa: E731
    dev_heads = lambda h: is_dev_article("headline:" + h["headline"])  # noqa: E731

    out: dict[str, list] = {}
    if with_train:
        maker = PageMaker(res, train_fams, train_locs, train_docs, train_heads)
        out["train"] = [maker.make(seed * 10**7 + i) for i in range(n_train)]
        out["furniture"] = furniture_lines(res, train_fams, train_locs, seed)
    # Dev families get the training add-ons so that only the primary template is unseen.
    addons = [f for f in train_fams if f in ADDON_FAMILIES]
    dev_sets = {
        "dev_family": (dev_fams + addons, train_locs),
        "dev_locale": (train_fams, dev_locs),
        "dev_article": (train_fams, train_locs),
    }
    for k, (name, (fams, locs)) in enumerate(dev_sets.items()):
        if not fams or not locs or not [f for f in fams if f not in ADDON_FAMILIES or name != "dev_family"]:
            continue
        maker = PageMaker(res, fams, locs, dev_docs, dev_heads)
        if name == "dev_family":
            maker.primary = [f for f in dev_fams if f not in ADDON_FAMILIES] or dev_fams
            maker.addons = [a for a in addons] + [f for f in dev_fams if f in ADDON_FAMILIES]
        out[name] = [maker.make((seed + k + 1) * 10**7 + 10**6 + i) for i in range(n_dev)]
    return out


def write_jsonl_gz(pages: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for p in pages:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
