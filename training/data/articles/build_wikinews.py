#!/usr/bin/env python3
"""Build wikinews_<lang>.jsonl.gz: full Wikinews articles (headline + paragraphs).

Inputs are bare git snapshots that were already downloaded (no network use
here).  Every blob is read with ``git --git-dir=<dir> show <commit>:<path>`` at
the pinned commit below, so the output is reproducible.

Sources (repository @ commit : path -> language, licence)

1. qiangning/StructTempRel-EMNLP17 @ d6518a5a79d940d749c95ee5b72830714b132238
   data/meantime_newsreader_english_oct15/intra-doc_annotation/corpus_*/*.xml
   NewsReader MEANTIME corpus, English section (120 en.wikinews.org articles,
   CAT XML token streams).  Corpus CC BY 4.0 (FBK / VUA / EHU, 2015);
   the article text is Wikinews, CC BY 2.5.                        -> en
   data/SemEval2015-Task4-TimeLine/{Corpus-trial-data_task4,
   SemEval_Task4_data/corpus_[123]/corpus_trackA_CAT}/*.xml
   SemEval-2015 Task 4 TimeLine (CC BY 3.0; same Wikinews texts as MEANTIME,
   so nearly everything is removed by the title dedupe).            -> en
2. anastasia-zhukova/Diverse_CDCR_datasets @ 9dfb46284593bdd35d1a5b5c758c9aa71cb43f1a
   MEANTIME-prep/output_data/{es,it,nl}/meantime.conll
   CoNLL export of the MEANTIME Spanish / Italian / Dutch sections, which are
   professional translations of the same 120 English Wikinews articles.
   MEANTIME licence CC BY 4.0 (MEANTIME-prep/LICENSE.txt).   -> es, it, nl
3. UniversalDependencies/UD_English-GUM @ afb41ee9bca57991125814fa04d96a0e61470c8b
   not-to-release/sources/GUM_news_*.conllu  (original text in "# text",
   paragraphs from "# newpar_block").  Only the Wikinews news documents are
   used; their text is CC BY 2.5 (Wikinews) per the GUM README (the treebank
   annotations are CC BY-NC-SA 4.0 and are NOT used).                -> en
   Only with --with-gum: by default these 23 articles are left out because
   build_from_ud.py already writes them (same titles) into en.jsonl.gz.
4. adrien-bougouin/WikinewsKeyphraseCorpus @ 3b89de05e97cd8440071a28acc0f15a5c35a068c
   documents/*.html  (100 fr.wikinews.org articles, May-Dec 2012, plain HTML
   with real <p> paragraphs).  Wikinews text, CC BY 2.5.              -> fr

Token streams (MEANTIME, SemEval) are detokenised and, having no paragraph
marks, are grouped into 2-3 sentence paragraphs (synthetic_paragraphs=true).
A bare-date dateline line (e.g. "December 10, 2013") directly after the
headline is dropped; datelines that open the first paragraph are kept.
Articles are deduplicated per language by normalised title (first source
wins: GUM, French HTML, MEANTIME, SemEval), sorted, and capped at ~1.5 MB of
uncompressed JSONL per language.

Usage: python build_wikinews.py [--mirror /work/.mirror] [--out DIR]
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

CAP_BYTES = 1_500_000

STRUCT = ("qiangning+StructTempRel-EMNLP17", "d6518a5a79d940d749c95ee5b72830714b132238")
CDCR = ("anastasia-zhukova+Diverse_CDCR_datasets", "9dfb46284593bdd35d1a5b5c758c9aa71cb43f1a")
GUM = ("UniversalDependencies+UD_English-GUM", "afb41ee9bca57991125814fa04d96a0e61470c8b")
FRKP = ("adrien-bougouin+WikinewsKeyphraseCorpus", "3b89de05e97cd8440071a28acc0f15a5c35a068c")


class Repo:
    def __init__(self, mirror: Path, name_commit):
        name, commit = name_commit
        base = mirror / name / "repo"
        self.gitdir = base / ".git" if (base / ".git").is_dir() else base
        self.commit = commit

    def ls(self, prefix: str = "") -> list[str]:
        out = subprocess.run(
            ["git", f"--git-dir={self.gitdir}", "ls-tree", "-r", "--name-only", self.commit],
            check=True, capture_output=True).stdout.decode("utf-8")
        return sorted(p for p in out.splitlines() if p.startswith(prefix))

    def show(self, path: str) -> str:
        return subprocess.run(
            ["git", f"--git-dir={self.gitdir}", "show", f"{self.commit}:{path}"],
            check=True, capture_output=True).stdout.decode("utf-8")


# ---------------------------------------------------------------- detokenise
NO_SPACE_BEFORE = {",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "...", "..",
                   "n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "’s", "”", "»", "’"}
NO_SPACE_AFTER = {"(", "[", "{", "$", "“", "«", "‘", "¿", "¡", "#", "£", "€", "¥"}
MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre "
    "januari februari maart mei juni juli augustus oktober "
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre "
    "monday tuesday wednesday thursday friday saturday sunday "
    "lunes martes miércoles jueves viernes sábado domingo "
    "lunedì martedì mercoledì giovedì venerdì sabato domenica "
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag "
    "lundi mardi mercredi jeudi vendredi samedi dimanche de del di the of").split()
MONTH_SET = set(MONTHS)


def is_bare_date(s: str) -> bool:
    s = s.strip()
    if re.fullmatch(r"\d{1,2}-[A-Za-z]{3}-\d{2}", s):
        return True
    if not s or len(s) > 60 or not re.search(r"\b(1[89]|20)\d\d\b", s):
        return False
    for w in re.findall(r"[^\W\d_]+", s.lower()):
        if w not in MONTH_SET:
            return False
    return True


def pretokens(tokens: list[str]) -> list[str]:
    """Repair tokenizer artefacts: fused ``Word, '' split as ' ', auto ' s -> auto's."""
    toks: list[str] = []
    for t in tokens:
        t = t.strip()
        if not t:
            continue
        m = re.fullmatch(r"(``|'')(.+)", t)
        if m and t not in ("''",):
            toks.extend([m.group(1), m.group(2)])
            continue
        m = re.fullmatch(r"(.+?)(''|``)", t)
        if m:
            toks.extend([m.group(1), m.group(2)])
            continue
        toks.append(t)
    out: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t == "'" and i + 1 < len(toks) and toks[i + 1] == "'":
            out.append('"')
            i += 2
            continue
        if (t == "'" and out and re.search(r"\w$", out[-1]) and i + 1 < len(toks)
                and toks[i + 1] in ("s", "n", "t", "r")):
            out[-1] = out[-1] + "'" + toks[i + 1]
            i += 2
            continue
        if re.fullmatch(r"\w+'", t) and out and i + 1 < len(toks) and toks[i + 1] in ("s", "n") \
                and t.lower() not in ("l'", "d'", "un'", "po'"):
            out.append(t + toks[i + 1])
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def detok(tokens: list[str], lang: str, state: dict) -> str:
    """Join tokens of one sentence. state carries open-quote parity across sentences."""
    out = ""
    no_space_next = True
    tokens = pretokens(tokens)
    for i, t in enumerate(tokens):
        if t in ("``", "''"):
            t = '"'
        if t == "`":
            t = "'"
        attach = False
        set_no_space = False
        if t == '"':
            if state.get("dq"):
                attach = True          # closing quote
                state["dq"] = False
            else:
                set_no_space = True    # opening quote
                state["dq"] = True
        elif t == "'" and lang in ("nl", "es", "it", "fr"):
            if state.get("sq"):
                attach = True
                state["sq"] = False
            else:
                set_no_space = True
                state["sq"] = True
        elif t == "'":
            attach = True              # English/other: plural possessive
        elif t in NO_SPACE_BEFORE or (lang == "en" and t.lower() in NO_SPACE_BEFORE):
            attach = True
        elif lang in ("en", "es", "nl") and re.fullmatch(r"'(s|re|ve|ll|d|m)", t, re.I) and out:
            attach = True
        if t in NO_SPACE_AFTER and not (t in "$£€¥" and not (i + 1 < len(tokens) and tokens[i + 1][:1].isdigit())):
            set_no_space = True
        # elided articles (it: l', dell', un'; fr: l', d'; nl: zo') glue to the next word
        if lang in ("it", "fr", "nl") and len(t) > 1 and t[-1] in "'’" and t[0] not in "'’" \
                and t.lower() not in ("po'",):
            set_no_space = True
        if out and not no_space_next and not attach:
            out += " "
        out += t
        no_space_next = set_no_space
    out = re.sub(r"\s+", " ", out).strip()
    # hyphenated names split by the translation-side tokenizers (Wal - Mart, Rolls - Royce)
    out = re.sub(r"\bWal - Mart\b", "Wal-Mart", out)
    if lang != "en":
        out = re.sub(r"\b([A-Z][\w]*) - (?=[A-Z])", r"\1-", out)
    if lang == "nl":
        out = re.sub(r"(\w) - (en|of)\b", r"\1- \2", out)   # suspended hyphen: nieuws- en
        out = out.replace("V. S.", "V.S.")
    return out


def group_sentences(sents: list[str]) -> list[str]:
    """Deterministic 2-3 sentence paragraphs."""
    paras, cur, cur_len = [], [], 0
    for s in sents:
        cur.append(s)
        cur_len += len(s)
        if len(cur) >= 3 or (len(cur) >= 2 and cur_len >= 320):
            paras.append(" ".join(cur))
            cur, cur_len = [], 0
    if cur:
        if paras and len(cur) == 1 and len(cur[0]) < 120:
            paras[-1] += " " + cur[0]
        else:
            paras.append(" ".join(cur))
    return paras


def clean(s: str) -> str:
    s = unicodedata.normalize("NFC", html.unescape(s)).replace("\u00ad", "").replace("\xa0", " ")
    return re.sub(r"\s+", " ", s).strip()


def article_from_sentences(sents: list[str]):
    sents = [clean(s) for s in sents if clean(s)]
    if len(sents) < 3:
        return None
    title, body = sents[0], sents[1:]
    if body and is_bare_date(body[0]):
        body = body[1:]
    return title, group_sentences(body)


# ---------------------------------------------------------------- readers
def read_cat_xml(text: str, lang: str):
    root = ET.fromstring(text)
    by_sent: dict[int, list[tuple[int, str]]] = {}
    for tok in root.iter("token"):
        by_sent.setdefault(int(tok.get("sentence")), []).append((int(tok.get("number")), tok.text or ""))
    state: dict = {}
    sents = [detok([t for _, t in sorted(by_sent[k])], lang, state) for k in sorted(by_sent)]
    url = root.get("url") or root.get("src_url") or ""
    return root.get("doc_id"), url, sents


def meantime_en(repo: Repo):
    pre = "data/meantime_newsreader_english_oct15/intra-doc_annotation/"
    for p in repo.ls(pre):
        if not p.endswith(".xml"):
            continue
        doc_id, url, sents = read_cat_xml(repo.show(p), "en")
        art = article_from_sentences(sents)
        if art:
            yield dict(id=f"wikinews-en:meantime-{doc_id}", source="NewsReader MEANTIME (Wikinews) via qiangning/StructTempRel-EMNLP17",
                       license="CC BY 2.5", lang="en", title=art[0], paragraphs=art[1],
                       synthetic_paragraphs=True, url=url)


def semeval_en(repo: Repo):
    pres = ["data/SemEval2015-Task4-TimeLine/Corpus-trial-data_task4/"] + [
        f"data/SemEval2015-Task4-TimeLine/SemEval_Task4_data/corpus_{i}/corpus_trackA_CAT/" for i in (1, 2, 3)]
    for pre in pres:
        for p in repo.ls(pre):
            if not p.endswith(".xml"):
                continue
            doc_id, url, sents = read_cat_xml(repo.show(p), "en")
            art = article_from_sentences(sents)
            if art:
                yield dict(id=f"wikinews-en:semeval2015t4-{doc_id}", source="SemEval-2015 Task 4 TimeLine (Wikinews) via qiangning/StructTempRel-EMNLP17",
                           license="CC BY 2.5", lang="en", title=art[0], paragraphs=art[1],
                           synthetic_paragraphs=True, url=url)


def meantime_conll(repo: Repo, lang: str):
    text = repo.show(f"MEANTIME-prep/output_data/{lang}/meantime.conll")
    docs: dict[str, dict[int, list[tuple[int, str]]]] = {}
    order: list[str] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 4:
            continue
        doc, sid, tid, tok = cols[0], int(cols[1]), int(cols[2]), cols[3]
        if doc not in docs:
            docs[doc] = {}
            order.append(doc)
        docs[doc].setdefault(sid, []).append((tid, tok))
    for doc in sorted(order):
        state: dict = {}
        sents = [detok([t for _, t in sorted(docs[doc][k])], lang, state) for k in sorted(docs[doc])]
        art = article_from_sentences(sents)
        if art:
            num = doc.split("/")[-1]
            yield dict(id=f"wikinews-{lang}:meantime-{num}", source="NewsReader MEANTIME (translated Wikinews) via anastasia-zhukova/Diverse_CDCR_datasets",
                       license="CC BY 4.0", lang=lang, title=art[0], paragraphs=art[1],
                       synthetic_paragraphs=True, url="")


SKIP_HEADS = {"sources", "source", "external links", "related news", "see also", "references"}


def gum_news(repo: Repo):
    for p in repo.ls("not-to-release/sources/GUM_news_"):
        doc = Path(p).stem
        meta, paras, cur, cur_kind = {}, [], None, None
        for line in repo.show(p).splitlines():
            if line.startswith("# meta::"):
                k, _, v = line[8:].partition(" = ")
                meta[k] = v
            elif line.startswith("# newpar_block = "):
                if cur:
                    paras.append((cur_kind, cur))
                chain = [c.strip().split(" ")[0] for c in line[len("# newpar_block = "):].split("|")]
                cur_kind = "caption" if "caption" in chain else ("head" if chain[-1] == "head" else "p")
                cur = []
            elif line.startswith("# text = "):
                if cur is None:
                    cur, cur_kind = [], "p"
                cur.append(line[len("# text = "):])
        if cur:
            paras.append((cur_kind, cur))
        texts = []
        for i, (kind, ss) in enumerate(paras):
            t = clean(" ".join(ss))
            if not t or kind == "caption":
                continue
            if kind == "head" and (t.lower().strip(" :") in SKIP_HEADS):
                continue
            texts.append(t)
        if not texts:
            continue
        title = clean(meta.get("title", "")) or texts[0]
        if texts and clean(texts[0]) == title:
            texts = texts[1:]
        if texts and is_bare_date(texts[0]):
            texts = texts[1:]
        if not texts or sum(map(len, texts)) < 300:
            continue
        yield dict(id=f"wikinews-en:gum-{doc}", source="Wikinews via UniversalDependencies/UD_English-GUM (text only)",
                   license="CC BY 2.5", lang="en", title=title, paragraphs=texts,
                   synthetic_paragraphs=False, url=meta.get("sourceURL", ""))


def fr_keyphrase(repo: Repo):
    for p in repo.ls("documents/"):
        if not p.endswith(".html"):
            continue
        src = repo.show(p)
        m = re.search(r"<h1>(.*?)</h1>", src, re.S) or re.search(r"<title>(.*?)</title>", src, re.S)
        title = clean(re.sub(r"<[^>]+>", "", m.group(1))) if m else ""
        body = src.split("</h1>", 1)[-1]
        paras = []
        for tag, inner in re.findall(r"<(h2|p|li)>(.*?)</\1>", body, re.S):
            t = clean(re.sub(r"<[^>]+>", "", inner))
            if t:
                paras.append(t)
        if paras and is_bare_date(paras[0]):
            paras = paras[1:]
        if not title or not paras or sum(map(len, paras)) < 300:
            continue
        yield dict(id=f"wikinews-fr:kp2012-{Path(p).stem}", source="fr.wikinews.org via adrien-bougouin/WikinewsKeyphraseCorpus",
                   license="CC BY 2.5", lang="fr", title=title, paragraphs=paras,
                   synthetic_paragraphs=False, url="")


# ---------------------------------------------------------------- main
def norm_title(t: str) -> str:
    t = unicodedata.normalize("NFKD", t.lower())
    return re.sub(r"[^0-9a-z]+", "", "".join(c for c in t if not unicodedata.combining(c)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent))
    ap.add_argument("--with-gum", action="store_true",
                    help="also emit the GUM Wikinews news docs (off by default: build_from_ud.py "
                         "already puts these 23 articles into en.jsonl.gz)")
    args = ap.parse_args()
    mirror, out = Path(args.mirror), Path(args.out)

    struct, cdcr, gum, frkp = (Repo(mirror, x) for x in (STRUCT, CDCR, GUM, FRKP))
    streams = {
        "en": ([gum_news(gum)] if args.with_gum else []) + [meantime_en(struct), semeval_en(struct)],
        "fr": [fr_keyphrase(frkp)],
        "es": [meantime_conll(cdcr, "es")],
        "it": [meantime_conll(cdcr, "it")],
        "nl": [meantime_conll(cdcr, "nl")],
    }
    stats = {}
    for lang, gens in streams.items():
        seen, arts, dropped = set(), [], 0
        for gen in gens:
            for a in sorted(gen, key=lambda a: a["id"]):
                key = norm_title(a["title"])
                if not key or key in seen:
                    dropped += 1
                    continue
                seen.add(key)
                a.pop("url", None)
                arts.append(a)
        lines, size = [], 0
        for a in arts:
            rec = {k: a[k] for k in ("id", "source", "license", "lang", "title", "paragraphs", "synthetic_paragraphs")}
            line = json.dumps(rec, ensure_ascii=False, sort_keys=False) + "\n"
            if size + len(line.encode("utf-8")) > CAP_BYTES:
                break
            lines.append(line)
            size += len(line.encode("utf-8"))
        path = out / f"wikinews_{lang}.jsonl.gz"
        with open(path, "wb") as fh:
            with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
                gz.write("".join(lines).encode("utf-8"))
        by_src: dict = {}
        for line in lines:
            r = json.loads(line)
            s = by_src.setdefault(r["source"], [0, 0])
            s[0] += 1
            s[1] += len(r["title"]) + sum(len(p) for p in r["paragraphs"])
        stats[lang] = dict(articles=len(lines), bytes=size, dup_dropped=dropped, by_source=by_src)
        print(lang, stats[lang], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
