#!/usr/bin/env python3
"""Build the "real article prose" corpus for langsplit from Universal Dependencies treebanks.

Usage:
    python training/data/articles/build_from_ud.py --src DIR --out training/data/articles

DIR must hold already-downloaded .conllu files laid out as ``DIR/<Treebank>/<path in repo>``,
e.g. ``DIR/UD_Danish-DDT/da_ddt-ud-dev.conllu`` or
``DIR/UD_English-GUM/not-to-release/sources/GUM_news_afghan.conllu``.  An optional
``DIR/<Treebank>/COMMIT`` file (one line, the git commit hash) is copied into the stats.
Missing files are skipped with a warning, so the script also runs on a partial download.

Output: ``<out>/<lang>.jsonl.gz`` (one JSON document per line, see ``make_doc``) and, with
``--stats FILE``, per-source counts (used to write SOURCES.md).

Sources (all from https://github.com/UniversalDependencies/<Treebank>; commit = the HEAD that
was used; only the files listed in SOURCES below were read).  The train files of most big
treebanks were not available to us (our snapshots lacked files >= 4 MiB), so mostly dev/test
files are used; with the full files present the script would simply read the listed ones.

    UD_English-GUM         afb41ee9bca57991125814fa04d96a0e61470c8b  not-to-release/sources/GUM_{news,interview,bio,voyage}_*.conllu
    UD_German-PUD          ff80846ae60a0a70fc4d6251ef73e6a483a620ee  de_pud-ud-test.conllu
    UD_German-GSD          297fcf350481058d0737a27f0f8fd03b2eadd67a  de_gsd-ud-{dev,test}.conllu
    UD_French-PUD          c245786cfb3020d43bcfc96215ae531a1b07bcbc  fr_pud-ud-test.conllu
    UD_French-Sequoia      f5b049600c89d2cf15ebbec860f75d703884d32b  not-to-release/annodis.er.conllu
    UD_French-GSD          830e2782304af08b3cc1c9250475343e04274d81  fr_gsd-ud-{dev,test}.conllu
    UD_Spanish-PUD         818a82b8628c9cbec78750c7e83ccba34b9ce22b  es_pud-ud-test.conllu
    UD_Spanish-GSD         57c045644664e5c1e169263cc4e3b95e40c078ba  es_gsd-ud-{dev,test}.conllu
    UD_Italian-PUD         71d932aa096368331ba2fd9bc906ec8dd853da8e  it_pud-ud-test.conllu
    UD_Portuguese-Bosque   5de7ac34028ff6d1718031a4b0ae895717ed8dbe  not-to-release/documents/C[FP]*.conllu
    UD_Dutch-Alpino        95e374a608d114ec6c6b32f0fbd5f324d29ef286  nl_alpino-ud-{dev,test}.conllu
    UD_Dutch-LassySmall    7880e0bc4c8138607c8e9724db2294dc89d4e2b5  nl_lassysmall-ud-{dev,test}.conllu
    UD_Swedish-Talbanken   30067217d275233ed460d0c0abafeaf22d63a3d2  sv_talbanken-ud-{dev,test}.conllu
    UD_Norwegian-Bokmaal   e83586ff8b324f147e767dccd7ed801b3666ca08  no_bokmaal-ud-{dev,test}.conllu
    UD_Danish-DDT          85faf86dc39f735722925fb1e822070d83649068  da_ddt-ud-{dev,test}.conllu
    UD_Finnish-TDT         5e3a88a671ea673fa330e10cc59f54da587a95a7  fi_tdt-ud-{dev,test}.conllu
    UD_Polish-PUD          a726e5866e7f134763d734e6d915b8faf10f552f  pl_pud-ud-test.conllu
    UD_Polish-LFG          7e859fe7edce4ac30afe8ca757bfa6c9c4c36c62  pl_lfg-ud-{dev,test}.conllu
    UD_Russian-PUD         da5b3816eeaa24283c1d81a48bb1de4d062fc5d5  ru_pud-ud-test.conllu
    UD_Russian-GSD         5400f2fd7264b7699727bb61b09f53841899df26  ru_gsd-ud-{dev,test}.conllu
    UD_Turkish-PUD         63a134a087c8475ea832713b960baba8ff2f9401  tr_pud-ud-test.conllu
    UD_Turkish-BOUN        f828b02872123a8dfb336584eab0767c4e55c5f9  tr_boun-ud-{dev,test}.conllu
    UD_Japanese-GSD        7bc20119f476b552635e0640644e577b6fd3606b  ja_gsd-ud-{dev,test}.conllu
    UD_Chinese-GSDSimp     eb3aed31ebb170897405ee5cd1db83a1a0b11864  zh_gsdsimp-ud-{dev,test}.conllu
    UD_Chinese-PUD         2849afd946a8c01b3e9acdf3e7afa8670cf2777d  zh_pud-ud-test.conllu
    UD_Arabic-PUD          be733f45d21f42d506c62930f806ed2182a5ee3d  ar_pud-ud-test.conllu
    UD_Czech-PUD           f68c66ccd8ab08fa343783a806fed446b905c07e  cs_pud-ud-test.conllu
    UD_Czech-CAC           a89ca01ff717f05692bbf5e70e8e781b5990cc53  cs_cac-ud-{dev,test}.conllu
    UD_Hungarian-Szeged    8f08ba648e6f6345212a721b7cb1ad78c5924f0e  hu_szeged-ud-{train,dev,test}.conllu  (CC BY-NC-SA!)
    UD_Romanian-RRT        cc00bf852bc3c19ac345457eef8b3e5665392a72  ro_rrt-ud-{dev,test}.conllu
    UD_Greek-GDT           1485f849d5ac7fcafa092a75804b41dbb1a3f194  el_gdt-ud-{train,dev,test}.conllu (CC BY-NC-SA!)
    UD_Korean-PUD          9bc99c21a00b88d44def216b64f898e4b6151d0d  ko_pud-ud-test.conllu
    UD_Korean-Kaist        ef244243b578e7cd0fb4fe45cd80b63de2a60e00  ko_kaist-ud-{dev,test}.conllu
    UD_Ukrainian-IU        21f641ba6109044ce9aafd4b2cbfa20a4ac6e479  uk_iu-ud-{dev,test}.conllu      (CC BY-NC-SA!)
    UD_Indonesian-CSUI     41dd7f23be883382dd111b119fe58b563c5541ee  id_csui-ud-{train,test}.conllu

English extra set (``--set en-extra``; writes only ``<out>/ud_en_extra.jsonl.gz``, records sorted
by id, de-duplicated against ``<out>/en.jsonl.gz`` and ``<out>/wikinews_en.jsonl.gz``; see
EN_EXTRA_SOURCES):

    UD_English-EWT         15d613d8447b3478787d4c278730a1e48a945efb  not-to-release/sources/{weblog,newsgroup,answers,reviews}/*.conllu
    UD_English-PUD         f16eba4ae7f3d161870ed320676c5088b8fa476c  en_pud-ud-test.conllu

    python training/data/articles/build_from_ud.py --set en-extra --src DIR --out training/data/articles

To redo: ``git clone`` each repository, ``git checkout <commit>``, copy the listed files into
``DIR/<Treebank>/`` keeping their relative paths, and run the command above.

How documents and paragraphs are recovered (per source, see the ``mode`` field):
  * ``newdoc``  - ``# newdoc`` / ``# newpar`` comments (real structure).
  * ``sentid``  - the structure is encoded in ``# sent_id`` (e.g. PUD ``n01001011`` = news doc
                  01001, sentence 011; Alpino ``WR-P-P-H-...p.5.s.4`` = paragraph 5, sentence 4).
  * ``flat``    - no document marks: consecutive sentences are cut into pseudo-documents of
                  8-20 sentences (ids contain ``synthetic``).  ``# newpar`` is still honoured
                  when present (Norwegian).
When a document has no paragraph marks, 2-4 consecutive sentences are grouped into a paragraph
and ``synthetic_paragraphs`` is true.  Everything is deterministic (sorting and fixed strides,
no randomness).
"""

import argparse
import glob
import gzip
import json
import os
import re
import sys
from collections import OrderedDict, defaultdict

# ---------------------------------------------------------------------------------------------
# Licences (SPDX-like short names; what goes into the "license" field of every record)
# ---------------------------------------------------------------------------------------------
BY_SA_3 = "CC BY-SA 3.0"
BY_SA_4 = "CC BY-SA 4.0"
BY_4 = "CC BY 4.0"
GPL_3 = "GPL-3.0"
LGPL_LR = "LGPL-LR (Lesser General Public License for Linguistic Resources)"
NC_SA_3 = "CC BY-NC-SA 3.0"
NC_SA_4 = "CC BY-NC-SA 4.0"

MAX_DOCS = 400          # per language
MAX_CHARS = 1_500_000   # per language, paragraph+title text
NO_SPACE_LANGS = {"ja", "zh"}  # sentences are joined without a space


# ---------------------------------------------------------------------------------------------
# Genre helpers.  They return None for a document that must be dropped.
# ---------------------------------------------------------------------------------------------
def gum_genre(doc_id, meta):
    # GUM mixes many genres.  Keep only the Wikimedia-sourced ones (CC BY / CC BY-SA text):
    # news + interviews (Wikinews), bio (Wikipedia), voyage (Wikivoyage).  whow is
    # CC BY-NC-SA, reddit is not in the UD release, the rest is not news-like prose.
    m = re.match(r"GUM_([a-z]+)_", doc_id)
    g = m.group(1) if m else None
    return g if g in {"news", "interview", "bio", "voyage"} else None


GUM_LICENSE = {
    "news": "CC BY 2.5 (Wikinews text; GUM annotations)",
    "interview": "CC BY 2.5 (Wikinews text; GUM annotations)",
    "bio": "CC BY-SA (Wikipedia text; GUM annotations)",
    "voyage": "CC BY-SA (Wikivoyage text; GUM annotations)",
}


def pud_genre(doc_id, meta):
    # PUD doc ids start with n (news) or w (Wikipedia).
    return "news" if doc_id.startswith("n") else "wiki"


def tdt_genre(doc_id, meta):
    # Turku Dependency Treebank doc-id prefixes (README: Wikipedia, Wikinews, university online
    # news, blogs, student magazine, grammar examples, Europarl, JRC-Acquis, financial news,
    # fiction).  Keep the article-like ones; drop legal (j), parliament (e) and the colloquial /
    # fiction-like h-documents and the grammar examples (no doc prefix).
    prefix = re.match(r"[a-z]+", doc_id).group(0)
    return {"wn": "news", "t": "news", "u": "news", "f": "news", "s": "magazine",
            "b": "blog", "w": "wiki"}.get(prefix)


def cac_genre(doc_id, meta):
    # Czech Academic Corpus: n = journalistic, a = administrative, s = scientific.
    return "news" if doc_id.startswith("n") else None


def rrt_genre(doc_id, meta):
    # RRT newdoc ids name their source; keep the news magazine and Wikipedia parts.
    if doc_id.startswith("Agenda"):
        return "news"
    if doc_id.startswith("Wikipedia"):
        return "wiki"
    return None


def gdt_genre(doc_id, meta):
    if "elwikinews" in doc_id or "-voa" in doc_id:
        return "news"
    if "wikipedia" in doc_id:
        return "wiki"
    return None  # parliament sessions, tourism brochures


def iu_genre(doc_id, meta):
    # Ukrainian-IU: documents carry "# source = URL".  Keep news sites, drop social media,
    # legal texts, Wikipedia and fiction (no source URL).
    src = meta.get("source", "")
    news_sites = ("umoloda", "tyzhden", "pravda", "champion", "day.kyiv", "unian", "zn.ua",
                  "gazeta", "radiosvoboda", "bbc", "korrespondent", "lb.ua", "hromadske",
                  "playua", "zaxid", "censor", "espreso", "news")
    if any(s in src for s in news_sites):
        return "news"
    return None


def boun_genre(doc_id, meta):
    # BOUN sent ids: news_N, bio_N, ess_N (essays), pop_N (popular culture), ins_N (instructional).
    return {"news": "news", "bio": "bio", "ess": "essay", "pop": "magazine", "ins": "howto"}.get(
        doc_id.split("_")[0])


def lfg_filter(sent):
    # Polish-LFG marks a genre on every sentence; keep newspaper sentences only.
    return sent["meta"].get("genre") == "news"


def taiga_filter(sent):
    return sent["meta"].get("genre") == "news"


# ---------------------------------------------------------------------------------------------
# Source table.  Order within a language = priority when the per-language cap is reached
# (real document structure and news first).
# ---------------------------------------------------------------------------------------------
SOURCES = [
    # lang, treebank, file globs, mode, licence, options
    ("en", "UD_English-GUM", ["not-to-release/sources/GUM_*.conllu"], "newdoc", None,
     dict(genre=gum_genre, license_by_genre=GUM_LICENSE)),
    ("de", "UD_German-PUD", ["de_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("de", "UD_German-GSD", ["de_gsd-ud-dev.conllu", "de_gsd-ud-test.conllu"], "flat", BY_SA_4,
     dict(genre_const="news/reviews/wiki (unmarked)")),
    ("fr", "UD_French-PUD", ["fr_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("fr", "UD_French-Sequoia", ["not-to-release/annodis.er.conllu"], "flat", LGPL_LR,
     dict(genre_const="news", sort_sid=r"_(\d+)$")),
    ("fr", "UD_French-GSD", ["fr_gsd-ud-dev.conllu", "fr_gsd-ud-test.conllu"], "flat", BY_SA_4,
     dict(genre_const="blog/news/reviews/wiki (unmarked)")),
    ("es", "UD_Spanish-PUD", ["es_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("es", "UD_Spanish-GSD", ["es_gsd-ud-dev.conllu", "es_gsd-ud-test.conllu"], "flat", BY_SA_4,
     dict(genre_const="blog/news/reviews/wiki (unmarked)")),
    ("it", "UD_Italian-PUD", ["it_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("pt", "UD_Portuguese-Bosque", ["not-to-release/documents/C[FP]*.conllu"], "sentid", BY_SA_4,
     dict(sid=r"^(?P<doc>C[FP]\d+)-(?P<s>\d+)$",
          genre=lambda d, m: "news")),  # CETEMPublico (PT) / CETENFolha (BR) newspaper extracts
    ("nl", "UD_Dutch-Alpino", ["nl_alpino-ud-dev.conllu", "nl_alpino-ud-test.conllu"], "sentid",
     BY_SA_4, dict(sid=r"^(?P<doc>[^\\]+)\\.*\.p\.(?P<p>\d+)\.s\.(?P<s>\d+)$",
                   genre=lambda d, m: "news")),
    ("nl", "UD_Dutch-LassySmall", ["nl_lassysmall-ud-dev.conllu", "nl_lassysmall-ud-test.conllu"],
     "sentid", BY_SA_4, dict(sid=r"^(?P<doc>wiki-\d+)\.p\.(?P<p>\d+)\.s\.(?P<s>\d+)$",
                             genre=lambda d, m: "wiki")),
    ("sv", "UD_Swedish-Talbanken", ["sv_talbanken-ud-dev.conllu", "sv_talbanken-ud-test.conllu"],
     "newdoc", BY_SA_4, dict(genre_const="news/nonfiction")),
    ("no", "UD_Norwegian-Bokmaal", ["no_bokmaal-ud-dev.conllu", "no_bokmaal-ud-test.conllu"],
     "flat", BY_SA_4, dict(genre_const="news/blog/nonfiction (unmarked)")),
    ("da", "UD_Danish-DDT", ["da_ddt-ud-dev.conllu", "da_ddt-ud-test.conllu"], "flat", BY_SA_4,
     dict(genre_const="news/mixed (unmarked)")),
    ("fi", "UD_Finnish-TDT", ["fi_tdt-ud-dev.conllu", "fi_tdt-ud-test.conllu"], "sentid", BY_SA_4,
     dict(sid=r"^(?P<doc>[a-z]+\d+)\.(?P<s>\d+)$", genre=tdt_genre)),
    ("pl", "UD_Polish-PUD", ["pl_pud-ud-test.conllu"], "sentid", BY_SA_4,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("pl", "UD_Polish-LFG", ["pl_lfg-ud-dev.conllu", "pl_lfg-ud-test.conllu"], "flat", GPL_3,
     dict(genre_const="news", sent_filter=lfg_filter)),
    ("ru", "UD_Russian-PUD", ["ru_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("ru", "UD_Russian-GSD", ["ru_gsd-ud-dev.conllu", "ru_gsd-ud-test.conllu"], "flat", BY_SA_4,
     dict(genre_const="wiki")),
    ("tr", "UD_Turkish-PUD", ["tr_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("tr", "UD_Turkish-BOUN", ["tr_boun-ud-dev.conllu", "tr_boun-ud-test.conllu"], "flat", BY_SA_4,
     # no documents; sentences are numbered per genre, so sort by (genre, number) and cut.
     dict(sid_genre=r"^(?P<g>[a-z]+)_(?P<n>\d+)$", genre=boun_genre)),
    ("ja", "UD_Japanese-GSD", ["ja_gsd-ud-dev.conllu", "ja_gsd-ud-test.conllu"], "flat", BY_SA_4,
     dict(genre_const="news/blog (unmarked; sentences not contiguous)")),
    ("zh", "UD_Chinese-GSDSimp", ["zh_gsdsimp-ud-dev.conllu", "zh_gsdsimp-ud-test.conllu"], "flat",
     BY_SA_4, dict(genre_const="wiki")),
    ("zh", "UD_Chinese-PUD", ["zh_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("ar", "UD_Arabic-PUD", ["ar_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    # ---- nice to have -----------------------------------------------------------------------
    ("cs", "UD_Czech-PUD", ["cs_pud-ud-test.conllu"], "sentid", BY_SA_4,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("cs", "UD_Czech-CAC", ["cs_cac-ud-dev.conllu", "cs_cac-ud-test.conllu"], "sentid", BY_SA_4,
     dict(sid=r"^(?P<doc>[a-z]\d+\w)-s(?P<s>\d+)$", genre=cac_genre)),
    ("hu", "UD_Hungarian-Szeged", ["hu_szeged-ud-train.conllu", "hu_szeged-ud-dev.conllu",
                                   "hu_szeged-ud-test.conllu"], "flat", NC_SA_3,
     dict(genre_const="news")),
    ("ro", "UD_Romanian-RRT", ["ro_rrt-ud-dev.conllu", "ro_rrt-ud-test.conllu"], "newdoc", BY_SA_4,
     dict(genre=rrt_genre)),
    ("el", "UD_Greek-GDT", ["el_gdt-ud-train.conllu", "el_gdt-ud-dev.conllu",
                            "el_gdt-ud-test.conllu"], "newdoc", NC_SA_3, dict(genre=gdt_genre)),
    ("ko", "UD_Korean-PUD", ["ko_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre)),
    ("ko", "UD_Korean-Kaist", ["ko_kaist-ud-dev.conllu", "ko_kaist-ud-test.conllu"], "sentid",
     BY_SA_4, dict(sid=r"^(?P<doc>[A-Z0-9]+_\d+)-s(?P<s>\d+)$",
                   genre=lambda d, m: "news/fiction/academic (unmarked)")),
    ("uk", "UD_Ukrainian-IU", ["uk_iu-ud-dev.conllu", "uk_iu-ud-test.conllu"], "newdoc", NC_SA_4,
     dict(genre=iu_genre)),
    ("id", "UD_Indonesian-CSUI", ["id_csui-ud-train.conllu", "id_csui-ud-test.conllu"], "flat",
     BY_SA_4, dict(genre_const="news")),
]


# ---------------------------------------------------------------------------------------------
# "--set en-extra": more English prose for ud_en_extra.jsonl.gz (English is scarce in the
# default set, which only has GUM).  Separate output file; the default build is unchanged.
# Order = priority under the caps below: blog and newsgroup posts (most article-like), PUD
# news/wiki, then Yahoo! Answers and reviews.  EWT emails (Enron mail, mostly headers,
# forwards and short notes) are not used.  GENTLE, LinES and ParTUT are CC BY-NC-SA (not
# used); GUM/GUMReddit are excluded on purpose.
# ---------------------------------------------------------------------------------------------
EN_EXTRA_FILE = "ud_en_extra.jsonl.gz"
EN_EXTRA_MAX_DOCS = 600
EN_EXTRA_MAX_CHARS = 1_500_000
# files whose documents must not be repeated in ud_en_extra (looked up in --out)
EN_EXTRA_EXISTING = ["en.jsonl.gz", "wikinews_en.jsonl.gz"]


def ewt_genre(doc_id, meta):
    # EWT newdoc ids start with the genre: weblog-, newsgroup-, answers-, reviews-, email-.
    g = doc_id.split("-", 1)[0]
    return g if g in {"weblog", "newsgroup", "answers", "reviews"} else None


EN_EXTRA_KNOBS = dict(guess_title=False, min_sents=4)
EN_EXTRA_SOURCES = [
    # lang, treebank, file globs, mode, licence, options ("part" names the row in the stats)
    ("en", "UD_English-EWT", ["not-to-release/sources/weblog/*.conllu"], "newdoc", BY_SA_4,
     dict(part="weblog", genre=ewt_genre, **EN_EXTRA_KNOBS)),
    ("en", "UD_English-EWT", ["not-to-release/sources/newsgroup/*.conllu"], "newdoc", BY_SA_4,
     dict(part="newsgroup", genre=ewt_genre, **EN_EXTRA_KNOBS)),
    ("en", "UD_English-PUD", ["en_pud-ud-test.conllu"], "sentid", BY_SA_3,
     dict(part="news+wiki", sid=r"^(?P<doc>[nw]\d{5})(?P<s>\d{3})$", genre=pud_genre,
          even_paras=True, **EN_EXTRA_KNOBS)),
    ("en", "UD_English-EWT", ["not-to-release/sources/answers/*.conllu"], "newdoc", BY_SA_4,
     dict(part="answers", genre=ewt_genre, **EN_EXTRA_KNOBS)),
    ("en", "UD_English-EWT", ["not-to-release/sources/reviews/*.conllu"], "newdoc", BY_SA_4,
     dict(part="reviews", genre=ewt_genre, **EN_EXTRA_KNOBS)),
]


def split_sentences_rough(text):
    return [t for t in re.split(r"(?<=[.!?])\s+", text) if len(t) >= 40]


def drop_duplicates(docs, seen_text, seen_paras):
    """Drop documents that repeat a document already in the English files (any sentence of
    >= 40 characters found in ``seen_text``) or an earlier candidate (same paragraphs)."""
    out = []
    for rec in docs:
        key = tuple(rec["paragraphs"])
        if key in seen_paras:
            continue
        if any(t in seen_text for p in rec["paragraphs"] for t in split_sentences_rough(p)):
            continue
        seen_paras.add(key)
        out.append(rec)
    return out


# ---------------------------------------------------------------------------------------------
# CoNLL-U reading: we only need the comment lines of each sentence.
# ---------------------------------------------------------------------------------------------
COMMENT_RE = re.compile(r"^#\s*([^=]+?)\s*=\s?(.*)$")


def read_sentences(path):
    """Yield one dict per sentence: {'text', 'sent_id', 'newdoc', 'newpar', 'meta', 'file'}.

    ``newdoc`` is the doc id (or '' for a bare ``# newdoc``) when the sentence opens a document,
    else None.  Document-level metadata (``# meta::title``, ``# doc_title``, ``# source``,
    ``# genre``...) is collected in ``meta``.
    """
    with open(path, encoding="utf-8") as fh:
        block = []
        for line in fh:
            line = line.rstrip("\n")
            if line.strip():
                block.append(line)
                continue
            if block:
                s = _parse_block(block, path)
                if s:
                    yield s
                block = []
        if block:
            s = _parse_block(block, path)
            if s:
                yield s


def _parse_block(lines, path):
    sent = {"text": None, "sent_id": None, "newdoc": None, "newpar": False, "meta": {},
            "file": path}
    for line in lines:
        if not line.startswith("#"):
            continue
        body = line[1:].strip()
        if body == "newdoc" or body.startswith("newdoc ") or body.startswith("newdoc_id"):
            m = COMMENT_RE.match(line)
            sent["newdoc"] = m.group(2).strip() if m else ""
            continue
        if body == "newpar" or body.startswith("newpar ") or body.startswith("newpar id"):
            sent["newpar"] = True
            continue
        m = COMMENT_RE.match(line)
        if not m:
            continue
        key, val = m.group(1).strip(), m.group(2).strip()
        if key == "text":
            sent["text"] = val
        elif key == "sent_id":
            sent["sent_id"] = val
        else:
            sent["meta"][key] = val
    if not sent["text"]:
        return None
    return sent


# ---------------------------------------------------------------------------------------------
# Building paragraphs and documents
# ---------------------------------------------------------------------------------------------
FINAL_PUNCT = tuple(".!?…:;\"'»”’)。！？」』")


def n_words(text, lang):
    if lang in NO_SPACE_LANGS:
        return len(text) / 2.0  # roughly two characters per word for ja/zh headlines
    return len(text.split())


def looks_like_title(text, lang):
    """Short, no sentence-final punctuation: a headline rather than prose."""
    t = text.strip()
    return bool(t) and n_words(t, lang) < 15 and not t.endswith(FINAL_PUNCT)


def join_sents(sents, lang):
    sep = "" if lang in NO_SPACE_LANGS else " "
    return sep.join(s.strip() for s in sents if s.strip())


def group_synthetic(sents, lang):
    """Group consecutive sentences into paragraphs of 2-4 sentences, deterministically.

    Pattern 3,2,4,3,2,4,... so paragraphs vary a bit in length; a trailing single sentence is
    attached to the previous paragraph.
    """
    sizes = (3, 2, 4)
    paras, i, k = [], 0, 0
    while i < len(sents):
        n = sizes[k % len(sizes)]
        chunk = sents[i:i + n]
        if len(chunk) == 1 and paras:
            paras[-1].append(chunk[0])
        else:
            paras.append(list(chunk))
        i += n
        k += 1
    return [join_sents(p, lang) for p in paras]


def group_even(sents, lang, max_par=3):
    """Group sentences into paragraphs of 2-3 sentences (as even as possible; en-extra mode):
    4 -> 2+2, 5 -> 3+2, 7 -> 3+2+2.  Fewer than 4 sentences stay one paragraph."""
    n_par = max(1, -(-len(sents) // max_par))
    base, extra = divmod(len(sents), n_par)
    paras, i = [], 0
    for k in range(n_par):
        n = base + (1 if k < extra else 0)
        paras.append(sents[i:i + n])
        i += n
    return [join_sents(p, lang) for p in paras]


def make_doc(source, lang, license_, doc_id, paragraphs_sents, synthetic, title=None,
             genre=None, guess_title=True, min_sents=None, even_paras=False):
    """paragraphs_sents: list of paragraphs, each a list of sentence texts (synthetic=False),
    or one flat list of sentences wrapped in a single-element list (synthetic=True).

    ``guess_title=False`` keeps a headline-like first sentence in the text (title stays as
    given); ``min_sents`` replaces the ">= 3 paragraphs or >= 5 sentences" minimum;
    ``even_paras`` groups synthetic paragraphs with ``group_even`` (2-3 sentences).  The
    defaults are the behaviour used for ``<lang>.jsonl.gz``.

    Returns the JSON record or None when the document is too small.
    """
    if synthetic:
        sents = [s for p in paragraphs_sents for s in p]
        if guess_title and title is None and len(sents) > 1 and \
                looks_like_title(sents[0], lang):
            title, sents = sents[0], sents[1:]
        n_sents = len(sents)
        paragraphs = group_even(sents, lang) if even_paras else group_synthetic(sents, lang)
    else:
        paras = [p for p in paragraphs_sents if p]
        if guess_title and title is None and len(paras) > 1 and len(paras[0]) == 1 and \
                looks_like_title(paras[0][0], lang):
            title, paras = paras[0][0], paras[1:]
        n_sents = sum(len(p) for p in paras)
        paragraphs = [join_sents(p, lang) for p in paras]
    paragraphs = [p for p in paragraphs if p]
    if min_sents is not None:
        if n_sents < min_sents:
            return None
    elif len(paragraphs) < 3 and n_sents < 5:
        return None
    rec = OrderedDict()
    rec["id"] = f"{source}:{doc_id}"
    rec["source"] = source
    rec["license"] = license_
    rec["lang"] = lang
    rec["title"] = title
    rec["paragraphs"] = paragraphs
    rec["synthetic_paragraphs"] = bool(synthetic)
    if genre:
        rec["genre"] = genre
    return rec


def split_long(sents, max_len=30):
    """Cut very long synthetic documents (whole source files in CAC/Kaist) into parts of at most
    ``max_len`` sentences so that one source does not yield a 200-sentence 'article'."""
    if len(sents) <= max_len:
        return [sents]
    n_parts = -(-len(sents) // max_len)
    size = -(-len(sents) // n_parts)
    return [sents[i:i + size] for i in range(0, len(sents), size)]


def pseudo_doc_sizes():
    # Deterministic cycle of pseudo-document lengths within 8-20 sentences.
    while True:
        for n in (12, 9, 16, 10, 20, 14, 8, 18):
            yield n


# ---------------------------------------------------------------------------------------------
# The three modes
# ---------------------------------------------------------------------------------------------
def doc_knobs(opts):
    """make_doc keyword options taken from a source's opts (only the en-extra set uses them)."""
    return {k: opts[k] for k in ("guess_title", "min_sents", "even_paras") if k in opts}


def docs_newdoc(lang, source, files, license_, opts):
    """Documents from # newdoc, paragraphs from # newpar (if the treebank has any)."""
    knobs = doc_knobs(opts)
    genre_fn = opts.get("genre")
    lic_by_genre = opts.get("license_by_genre", {})
    out = []
    for path in files:
        docs = []  # (doc_id, meta, [sentences])
        for s in read_sentences(path):
            if s["newdoc"] is not None or not docs:
                docs.append([s["newdoc"] or f"{os.path.basename(path)}#{len(docs)}",
                             dict(s["meta"]), []])
            else:
                # document metadata may also sit on later sentences; first value wins
                for k, v in s["meta"].items():
                    docs[-1][1].setdefault(k, v)
            docs[-1][2].append(s)
        for doc_id, meta, sents in docs:
            genre = genre_fn(doc_id, meta) if genre_fn else opts.get("genre_const")
            if genre_fn and genre is None:
                continue
            title = meta.get("meta::title") or meta.get("doc_title") or meta.get("title")
            has_par = any(s["newpar"] for s in sents)
            lic = lic_by_genre.get(genre, license_)
            if has_par:
                paras = []
                for s in sents:
                    if s["newpar"] or not paras:
                        paras.append([])
                    paras[-1].append(s["text"])
                # a given title usually repeats as the first (headline) paragraph
                if title and paras and len(paras[0]) == 1 and \
                        paras[0][0].strip() == title.strip():
                    paras = paras[1:]
                rec = make_doc(source, lang, lic, doc_id, paras, False, title, genre, **knobs)
                if rec:
                    out.append(rec)
            else:
                texts = [s["text"] for s in sents]
                if title and texts and texts[0].strip() == title.strip():
                    texts = texts[1:]
                for k, part in enumerate(split_long(texts)):
                    pid = doc_id if k == 0 else f"{doc_id}#part{k + 1}"
                    rec = make_doc(source, lang, lic, pid, [part], True,
                                   title if k == 0 else None, genre, **knobs)
                    if rec:
                        out.append(rec)
    return out


def docs_sentid(lang, source, files, license_, opts):
    """Documents (and paragraphs) reconstructed from the sent_id pattern ``opts['sid']``.

    Sentences of one document can be spread over dev/test; we pool all files and sort by
    (doc, paragraph, sentence number).  Gaps (sentences that sit in the unavailable train file)
    are unavoidable; the remaining sentences keep their original order.
    """
    rx = re.compile(opts["sid"])
    knobs = doc_knobs(opts)
    genre_fn = opts.get("genre")
    docs = defaultdict(list)
    meta_first = {}
    for path in files:
        for s in read_sentences(path):
            m = rx.match(s["sent_id"] or "")
            if not m:
                continue
            d = m.groupdict()
            key = d["doc"]
            docs[key].append((int(d.get("p") or 0), int(d["s"]), s["text"]))
            meta_first.setdefault(key, s["meta"])
    out = []
    has_par = "(?P<p>" in opts["sid"]
    for key in sorted(docs):
        genre = genre_fn(key, meta_first[key]) if genre_fn else opts.get("genre_const")
        if genre is None:
            continue
        rows = sorted(docs[key])
        if has_par:
            paras, last = [], None
            for p, _, text in rows:
                if p != last:
                    paras.append([])
                    last = p
                paras[-1].append(text)
            rec = make_doc(source, lang, license_, key, paras, False, None, genre, **knobs)
            if rec:
                out.append(rec)
        else:
            texts = [t for _, _, t in rows]
            for k, part in enumerate(split_long(texts)):
                pid = key if k == 0 else f"{key}#part{k + 1}"
                rec = make_doc(source, lang, license_, pid, [part], True, None, genre, **knobs)
                if rec:
                    out.append(rec)
    return out


def docs_flat(lang, source, files, license_, opts):
    """No document marks: cut the sentence stream into pseudo-documents of 8-20 sentences.

    Streams never cross file boundaries (or genre boundaries for BOUN).  If the file has
    ``# newpar`` the real paragraphs are kept and pseudo-documents are cut at paragraph
    boundaries, so only the documents are synthetic.
    """
    sent_filter = opts.get("sent_filter")
    streams = []  # (stream_name, genre, [sentences])
    for path in files:
        sents = [s for s in read_sentences(path) if not sent_filter or sent_filter(s)]
        base = os.path.basename(path).replace(".conllu", "")
        if opts.get("sort_sid"):
            rx = re.compile(opts["sort_sid"])
            sents.sort(key=lambda s: int(rx.search(s["sent_id"]).group(1)))
        if opts.get("sid_genre"):
            rx = re.compile(opts["sid_genre"])
            by_g = defaultdict(list)
            for s in sents:
                m = rx.match(s["sent_id"] or "")
                if m:
                    by_g[m.group("g")].append((int(m.group("n")), s))
            for g in sorted(by_g):
                genre = opts["genre"](g + "_", {})
                if genre is None:
                    continue
                streams.append((f"{base}-{g}", genre, [s for _, s in sorted(by_g[g])]))
        else:
            streams.append((base, opts.get("genre_const"), sents))

    out = []
    for name, genre, sents in streams:
        sizes = pseudo_doc_sizes()
        use_par = any(s["newpar"] for s in sents)
        i, k = 0, 0
        while i < len(sents):
            n = next(sizes)
            j = min(i + n, len(sents))
            if use_par:
                # extend to the next paragraph start (but never past 20 sentences; if a paragraph
                # is longer than that, cut at 20 and carry on)
                while j < len(sents) and not sents[j]["newpar"] and j - i < 20:
                    j += 1
            if len(sents) - j < 8:  # do not leave a tiny tail: merge it into this document
                j = len(sents)
            chunk = sents[i:j]
            k += 1
            doc_id = f"synthetic-{name}-{k:04d}"
            if use_par:
                paras = []
                for s in chunk:
                    if s["newpar"] or not paras:
                        paras.append([])
                    paras[-1].append(s["text"])
                rec = make_doc(source, lang, license_, doc_id, paras, False, None, genre)
            else:
                rec = make_doc(source, lang, license_, doc_id, [[s["text"] for s in chunk]],
                               True, None, genre)
            if rec:
                rec["synthetic_document"] = True
                out.append(rec)
            i = j
    return out


MODES = {"newdoc": docs_newdoc, "sentid": docs_sentid, "flat": docs_flat}


# ---------------------------------------------------------------------------------------------
# Capping: about MAX_DOCS documents and MAX_CHARS characters per language
# ---------------------------------------------------------------------------------------------
def doc_chars(rec):
    return sum(len(p) for p in rec["paragraphs"]) + len(rec["title"] or "")


def spread_pick(docs, n):
    """Pick n documents evenly spread over the (sorted) list, deterministic."""
    if n >= len(docs):
        return list(docs)
    if n <= 0:
        return []
    step = len(docs) / n
    return [docs[int(i * step)] for i in range(n)]


def cap_language(per_source, max_docs=MAX_DOCS, max_chars=MAX_CHARS):
    """per_source: list of (source, docs) in priority order.  Higher-priority sources are taken
    first; a source that does not fit is sampled evenly across its whole length (so we do not
    just keep the first file)."""
    chosen, n_docs, n_chars = [], 0, 0
    for source, docs in per_source:
        left_docs = max_docs - n_docs
        left_chars = max_chars - n_chars
        if left_docs <= 0 or left_chars <= 0 or not docs:
            continue
        total = sum(doc_chars(d) for d in docs)
        n = len(docs)
        if total > left_chars:
            n = min(n, int(len(docs) * left_chars / total))
        n = min(n, left_docs)
        picked = spread_pick(docs, n)
        # fine-tune: drop from the end while over the char budget
        while picked and sum(doc_chars(d) for d in picked) > left_chars:
            picked.pop()
        chosen.extend(picked)
        n_docs += len(picked)
        n_chars += sum(doc_chars(d) for d in picked)
    return chosen


# ---------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", required=True, help="directory with <Treebank>/<file>.conllu")
    ap.add_argument("--out", required=True, help="output directory (training/data/articles)")
    ap.add_argument("--langs", default="", help="comma-separated subset of languages")
    ap.add_argument("--stats", default="", help="optional path for per-source counts (JSON)")
    ap.add_argument("--set", default="default", choices=["default", "en-extra"],
                    help="en-extra: build ud_en_extra.jsonl.gz from EN_EXTRA_SOURCES instead")
    args = ap.parse_args(argv)
    if args.set == "en-extra":
        return main_en_extra(args)

    wanted = set(filter(None, args.langs.split(",")))
    by_lang = OrderedDict()
    stats = OrderedDict()
    for lang, tb, globs, mode, lic, opts in SOURCES:
        if wanted and lang not in wanted:
            continue
        files = []
        for g in globs:
            hits = sorted(glob.glob(os.path.join(args.src, tb, g)))
            if not hits:
                print(f"warning: {tb}: no file matches {g}", file=sys.stderr)
            files.extend(hits)
        if not files:
            continue
        docs = MODES[mode](lang, tb, files, lic, opts)
        commit_file = os.path.join(args.src, tb, "COMMIT")
        commit = open(commit_file).read().strip() if os.path.exists(commit_file) else None
        stats[tb] = {"lang": lang, "mode": mode, "commit": commit,
                     "files": [os.path.relpath(f, os.path.join(args.src, tb)) for f in files],
                     "license": lic, "candidates": len(docs)}
        by_lang.setdefault(lang, []).append((tb, docs))

    os.makedirs(args.out, exist_ok=True)
    for lang, per_source in by_lang.items():
        chosen = cap_language(per_source)
        path = os.path.join(args.out, f"{lang}.jsonl.gz")
        # mtime=0 keeps the gzip bytes reproducible
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            for rec in chosen:
                gz.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
        for tb, _ in per_source:
            mine = [r for r in chosen if r["source"] == tb]
            stats[tb].update({
                "documents": len(mine),
                "paragraphs": sum(len(r["paragraphs"]) for r in mine),
                "characters": sum(doc_chars(r) for r in mine),
                "with_title": sum(1 for r in mine if r["title"]),
                "synthetic_paragraphs": sum(1 for r in mine if r["synthetic_paragraphs"]),
                "synthetic_documents": sum(1 for r in mine if r.get("synthetic_document")),
                "genres": sorted({r.get("genre") or "" for r in mine}),
                "licenses": sorted({r["license"] for r in mine}),
            })
        print(f"{lang}: {len(chosen)} docs, {sum(doc_chars(r) for r in chosen)} chars -> {path}")
    if args.stats:
        with open(args.stats, "w", encoding="utf-8") as fh:
            json.dump(stats, fh, ensure_ascii=False, indent=1)


def find_files(src, tb, globs):
    files = []
    for g in globs:
        hits = sorted(glob.glob(os.path.join(src, tb, g)))
        if not hits:
            print(f"warning: {tb}: no file matches {g}", file=sys.stderr)
        files.extend(hits)
    return files


def main_en_extra(args):
    """Build <out>/ud_en_extra.jsonl.gz (English EWT + PUD), records sorted by id."""
    seen_text = []
    for name in EN_EXTRA_EXISTING:
        path = os.path.join(args.out, name)
        if not os.path.exists(path):
            print(f"warning: {path} missing, no de-duplication against it", file=sys.stderr)
            continue
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                seen_text.append(rec.get("title") or "")
                seen_text.extend(rec["paragraphs"])
    seen_text = "\n".join(seen_text)
    seen_paras = set()
    per_source, stats = [], OrderedDict()
    for lang, tb, globs, mode, lic, opts in EN_EXTRA_SOURCES:
        part = f"{tb}/{opts['part']}"
        files = find_files(args.src, tb, globs)
        if not files:
            continue
        docs = MODES[mode](lang, tb, files, lic, opts)
        kept = drop_duplicates(docs, seen_text, seen_paras)
        commit_file = os.path.join(args.src, tb, "COMMIT")
        commit = open(commit_file).read().strip() if os.path.exists(commit_file) else None
        stats[part] = {"lang": lang, "mode": mode, "commit": commit, "files": len(files),
                       "license": lic, "candidates": len(docs),
                       "duplicates_dropped": len(docs) - len(kept)}
        per_source.append((part, kept))
    chosen = cap_language(per_source, EN_EXTRA_MAX_DOCS, EN_EXTRA_MAX_CHARS)
    for part, docs in per_source:
        ids = {id(r) for r in docs}
        mine = [r for r in chosen if id(r) in ids]
        stats[part].update({
            "documents": len(mine),
            "paragraphs": sum(len(r["paragraphs"]) for r in mine),
            "characters": sum(doc_chars(r) for r in mine),
            "with_title": sum(1 for r in mine if r["title"]),
            "synthetic_paragraphs": sum(1 for r in mine if r["synthetic_paragraphs"]),
            "genres": sorted({r.get("genre") or "" for r in mine}),
        })
    chosen.sort(key=lambda r: r["id"])
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, EN_EXTRA_FILE)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for rec in chosen:
            gz.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"en-extra: {len(chosen)} docs, {sum(doc_chars(r) for r in chosen)} chars -> {path}")
    if args.stats:
        with open(args.stats, "w", encoding="utf-8") as fh:
            json.dump(stats, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
