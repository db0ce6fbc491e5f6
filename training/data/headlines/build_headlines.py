#!/usr/bin/env python3
"""Build per-language headline + blurb lists (for synthetic teaser blocks).

Output: <out_dir>/<lang>.jsonl.gz, one JSON object per line:
    {"headline": str, "blurb": str | null, "source": str, "license": str}

Every item is a real Wikinews headline with the article's first sentence as the
blurb. Inputs are read from already-downloaded copies; nothing is fetched here.

Inputs (pass whichever you have; each is optional):

  --gum-sources DIR
      Folder holding ``GUM_news_*.conllu`` from
      github.com/UniversalDependencies/UD_English-GUM,
      commit afb41ee9bca57991125814fa04d96a0e61470c8b,
      path ``not-to-release/sources/``. Only the ``news`` genre is used
      (all English Wikinews articles; ``# meta::sourceURL`` points at
      en.wikinews.org). Text: Wikinews, CC BY 2.5.

  --semeval-task4 DIR
      Folder (searched recursively for ``*.tml``) holding the SemEval-2015
      Task 4 "TimeLine" TimeML files as found in
      github.com/qiangning/StructTempRel-EMNLP17,
      commit d6518a5a79d940d749c95ee5b72830714b132238, path
      ``data/SemEval2015-Task4-TimeLine/`` (folders ``*trackA_TimeML`` and
      ``Corpus-trial-data_task4_TimeML``). English Wikinews articles;
      annotations CC BY 3.0 (FBK, VUA, EHU); text Wikinews, CC BY 2.5.

  --jawikinews FILE
      ``raw/cleaned-data.tsv.gz`` from
      github.com/tm4roon/jawikinews-headline-dataset,
      commit cfdf15830a6bd3f734cd4bdac3b7692e23825988.
      Japanese Wikinews article/headline pairs (MeCab-tokenised, spaces
      between tokens; we join them back). Text: Japanese Wikinews, CC BY 2.5.

Example (snapshots are bare git directories):

    git --git-dir=GUM.git archive afb41ee9 not-to-release/sources | tar -x -C /tmp/gum
    git --git-dir=TR.git archive d6518a5a data/SemEval2015-Task4-TimeLine | tar -x -C /tmp/tr
    git --git-dir=JA.git show cfdf1583:raw/cleaned-data.tsv.gz > /tmp/ja.tsv.gz
    python build_headlines.py --gum-sources /tmp/gum/not-to-release/sources \
        --semeval-task4 /tmp/tr --jawikinews /tmp/ja.tsv.gz --out-dir .

Deterministic: items are deduplicated on a normalised headline, ordered by a
SHA-1 of the headline, capped at --max-items and --max-bytes (uncompressed) per
language, and gzipped with mtime 0.
"""
from __future__ import annotations

import argparse
import csv
import glob
import gzip
import hashlib
import html
import io
import json
import os
import re
import sys
import unicodedata

WIKINEWS_EN = "CC BY 2.5 (Wikinews contributors)"
WIKINEWS_JA = "CC BY 2.5 (Wikinews contributors, ja.wikinews.org)"

MONTHS = ("January|February|March|April|May|June|July|August|September|"
          "October|November|December")
DATELINE_RE = re.compile(
    rf"^((Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    rf"(({MONTHS})\s+\d{{1,2}}\s*,?\s*\d{{4}}|\d{{1,2}}\s+({MONTHS})\s+\d{{4}})\s*\.?$",
    re.I)
MARKUP_RE = re.compile(r"[<>{}\[\]|]|https?://|www\.|&[a-z]+;|&#\d+;|\\n|''|==")


def plausible_blurb(s: str) -> bool:
    """A body sentence, not a dateline / caption fragment."""
    s = s.strip()
    return len(s) >= 40 and bool(re.search(r"[.!?\"'\u201d\u3002\uff01\uff1f\u300d)]$", s))


def clean_ws(s: str) -> str:
    s = unicodedata.normalize("NFC", html.unescape(s))
    s = s.replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", s).strip()


def ok_text(s: str | None, lo: int, hi: int) -> bool:
    return bool(s) and lo <= len(s) <= hi and not MARKUP_RE.search(s)


# --- English detokenisation (Penn-style tokens back to running text) -------
def detok_en(s: str) -> str:
    s = clean_ws(s)
    s = s.replace("``", '"').replace("''", '"').replace("-LRB-", "(").replace("-RRB-", ")")
    s = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m|') ", r"\1 ", s + " ").strip()
    s = re.sub(r" ([.,;:!?%)\]}])", r"\1", s)
    s = re.sub(r"([(\[{$]) ", r"\1", s)
    # straight double quotes: alternate opening / closing
    out, open_q = [], False
    for part in re.split(r'( ?" ?)', s):
        if part.strip() == '"':
            out.append(' "' if not open_q else '" ')
            open_q = not open_q
        else:
            out.append(part)
    s = "".join(out)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r" ([.,;:!?])", r"\1", s)
    s = re.sub(r"(\d) \. (\d)", r"\1.\2", s)
    return s


# --- Japanese: drop MeCab token spaces except between Latin words ------------
def detok_ja(s: str) -> str:
    s = clean_ws(s)
    toks = s.split(" ")
    out = toks[0] if toks else ""
    for t in toks[1:]:
        if out and t and re.match(r"[A-Za-z]", t[0]) and re.match(r"[A-Za-z]", out[-1]):
            out += " " + t
        else:
            out += t
    return out


def first_sentence_ja(text: str) -> str | None:
    text = re.sub(r"^【[^】]{0,40}】", "", text).strip()
    m = re.search(r"^.+?。", text)
    return m.group(0) if m else None


# --- sources -----------------------------------------------------------------
def read_gum(folder: str):
    for path in sorted(glob.glob(os.path.join(folder, "GUM_news_*.conllu"))):
        title, texts, url = None, [], None
        in_figure = False  # skip image captions ("figure" paragraph blocks)
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("# newpar_block = "):
                    first = line.split("=", 1)[1].split(" | ")[0].strip()
                    m = re.search(r"\((\d+) s\)$", first)
                    in_figure = first.startswith("figure") and bool(m) and int(m.group(1)) > 0
                elif line.strip() == "# newpar":
                    in_figure = False
                elif line.startswith("# meta::title = "):
                    title = line.split("=", 1)[1].strip()
                elif line.startswith("# meta::sourceURL = "):
                    url = line.split("=", 1)[1].strip()
                elif line.startswith("# text = ") and not in_figure:
                    texts.append(line.split("=", 1)[1].strip())
                    if len(texts) > 6:
                        break
        if not title or not url or "wikinews.org" not in url:
            continue
        blurb = None
        for t in texts:
            if clean_ws(t) == clean_ws(title) or DATELINE_RE.match(t.strip()):
                continue
            if not plausible_blurb(t):
                continue
            blurb = t
            break
        yield "en", clean_ws(title), clean_ws(blurb) if blurb else None, \
            "en.wikinews.org via UD_English-GUM", WIKINEWS_EN


def read_semeval_task4(folder: str):
    paths = sorted(glob.glob(os.path.join(folder, "**", "*.tml"), recursive=True))
    for path in paths:
        if "TimeML" not in path:
            continue
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
        m = re.search(r"<EXTRAINFO>(.*?)</EXTRAINFO>", raw, re.S)
        if not m:
            continue
        title = detok_en(re.sub(r"<[^>]+>", "", m.group(1)))
        sents = [re.sub(r"<[^>]+>", "", x) for x in re.findall(r"<s id=\"\d+\">(.*?)</s>", raw, re.S)]
        blurb = None
        for s in sents:
            s2 = detok_en(s)
            if s2 == title or DATELINE_RE.match(s2):
                continue
            if not plausible_blurb(s2):
                continue
            blurb = s2
            break
        yield "en", title, blurb, "en.wikinews.org via SemEval-2015 Task 4 TimeLine", WIKINEWS_EN


def read_jawikinews(path: str):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rd = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rd, None)
        for row in rd:
            if len(row) < 3:
                continue
            article, headline = detok_ja(row[1]), detok_ja(row[2])
            yield "ja", headline, first_sentence_ja(article), \
                "ja.wikinews.org via jawikinews-headline-dataset", WIKINEWS_JA


# --- assembly ----------------------------------------------------------------
def norm_key(h: str) -> str:
    return re.sub(r"[\W_]+", "", h.casefold())


def build(items, out_dir: str, max_items: int, max_bytes: int) -> dict:
    by_lang: dict[str, dict[str, dict]] = {}
    for lang, headline, blurb, source, lic in items:
        headline = clean_ws(headline or "")
        blurb = clean_ws(blurb) if blurb else None
        hi = 200 if lang not in ("ja", "zh") else 90
        if not ok_text(headline, 8 if lang not in ("ja", "zh") else 5, hi):
            continue
        if blurb is not None and (not ok_text(blurb, 20 if lang not in ("ja", "zh") else 10, 400)
                                  or norm_key(blurb) == norm_key(headline)):
            blurb = None
        key = norm_key(headline)
        if not key:
            continue
        bucket = by_lang.setdefault(lang, {})
        prev = bucket.get(key)
        rec = {"headline": headline, "blurb": blurb, "source": source, "license": lic}
        # keep the first; prefer a record that has a blurb
        if prev is None or (prev["blurb"] is None and blurb is not None):
            bucket[key] = rec
    counts = {}
    os.makedirs(out_dir, exist_ok=True)
    for lang in sorted(by_lang):
        recs = sorted(by_lang[lang].values(),
                      key=lambda r: hashlib.sha1(r["headline"].encode("utf-8")).hexdigest())
        lines, size = [], 0
        for r in recs:
            line = json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n"
            b = len(line.encode("utf-8"))
            if len(lines) >= max_items or size + b > max_bytes:
                break
            lines.append(line)
            size += b
        path = os.path.join(out_dir, f"{lang}.jsonl.gz")
        with open(path, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
                gz.write("".join(lines).encode("utf-8"))
        counts[lang] = len(lines)
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gum-sources")
    ap.add_argument("--semeval-task4")
    ap.add_argument("--jawikinews")
    ap.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--max-items", type=int, default=5000)
    ap.add_argument("--max-bytes", type=int, default=1_500_000)
    a = ap.parse_args(argv)

    def gen():
        if a.gum_sources:
            yield from read_gum(a.gum_sources)
        if a.semeval_task4:
            yield from read_semeval_task4(a.semeval_task4)
        if a.jawikinews:
            yield from read_jawikinews(a.jawikinews)

    counts = build(gen(), a.out_dir, a.max_items, a.max_bytes)
    for lang, n in counts.items():
        print(f"{lang}\t{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
