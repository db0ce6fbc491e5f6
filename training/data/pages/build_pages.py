#!/usr/bin/env python3
"""Build whole-page line-labelled data (coarse body / not-body) from CleanEval.

Input (already downloaded, read-only): a bare git snapshot of the web2text
repository, which ships the English CleanEval pages under
``src/main/resources/cleaneval/``:

* ``orig/<n>.html``    raw page as distributed by CleanEval (first line is a
  ``<text id=URL title=... encoding=...>`` wrapper, the last line ``</text>``),
* ``clean/<n>.txt``    hand-cleaned gold text (CleanEval markup <h>/<p>/<l>),
* ``aligned/<n>.txt``  web2text's character alignment of the gold text onto the
  source: same length as the source, every character that is not part of the
  gold text replaced by U+25A1.

Repository / commit used:
    dalab/web2text @ 8b239061ceccb9ef9ad4d4e4dd7881cfc2af3706  (2020-12-24, master)
    obtained as the snapshot of the fork Tommel71/web2text, whose HEAD is this
    commit (web2text author's own commits; dalab's indexed CleanEval files at
    8be6969/0377601 are its ancestors).  The dalab snapshot itself is 3.8 GB,
    over the fetch limit.  Files at paths src/main/resources/cleaneval/{orig,clean,aligned}.

Method
1. The source string is reproduced exactly as web2text's Scala code builds it
   (``CleanEval.loadOrigFile``: UTF-8 decoding that silently drops malformed
   bytes, lines split on \\r\\n|\\r|\\n, first and last line dropped, joined with
   \\n), so that it has the same length as ``aligned/<n>.txt``.  A second, proper
   decoding (declared encoding, cp1252 for latin-1) is used for the output text;
   its characters are mapped onto the first one (they differ only by the
   non-ASCII characters the UTF-8/ignore decoding drops).
2. The HTML is walked with ``html.parser`` (which reports source positions);
   script/style/noscript/template/svg/head/title/object/iframe and elements
   hidden with ``hidden``/``display:none`` are dropped; block-level elements
   (p, div, li, h1-h6, td, th, tr, article, section, header, footer, nav,
   blockquote, pre, dt, dd, figcaption, br, hr, option, ...) end the current
   line; each line is the whitespace-collapsed text of a run of inline content.
   <pre> content is split at its newlines.
3. Every output character carries the flag "part of the gold text" taken from
   the aligned file.  A line is ``body`` when >= 50 % of its word characters
   (``\\w``) are flagged (all non-space characters if it has no word characters),
   else ``chrome`` (coarse: chrome = not body).
4. If the output exceeds --max-bytes (15 MB), the largest pages are dropped
   first.  Pages are skipped when the body lines recover < 50 % of the gold tokens
   (``\\w+`` lower-cased, multiset) of ``clean/<n>.txt``, when the source and the
   aligned file differ in length, or when the page has < 5 lines.
5. Output: gzip JSON lines (mtime 0, sorted by page number) in the seeds gold
   format, with ``coarse: true``, ``split`` (CleanEval dev/test as web2text
   defines it: positions 0-60 of ``CleanEval.indices`` are the CleanEval
   development set, the rest its test set) and ``split_web2text``
   (train/test/valid as in web2text's ``web2textTrainingSet``/``TestSet``).

Usage:
    python build_pages.py --web2text-git /work/.mirror/Tommel71+web2text/repo \\
        --out cleaneval.jsonl.gz
Deterministic: same input -> byte-identical output.  Only the standard library.
"""
import argparse
import collections
import gzip
import html
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser

EXPECTED_COMMIT = "8b239061ceccb9ef9ad4d4e4dd7881cfc2af3706"
REPO_NAME = "dalab/web2text"
BASE = "src/main/resources/cleaneval"
BOX = "\u25a1"

# --------------------------------------------------------------------------
# web2text split definitions (copied as data from CleanEval.scala)
# --------------------------------------------------------------------------
SCALA = "src/main/scala/ch/ethz/dalab/web2text/cleaneval/CleanEval.scala"


def parse_scala_splits(src):
    """Return (indices, cleaneval_test_ids, w2t_train_ids, w2t_test_ids)."""
    def vec(name):
        m = re.search(r"val %s\s*:\s*Vector\[Int\]\s*=\s*Vector\(([^)]*)\)" % name, src)
        return [int(x) for x in re.findall(r"\d+", m.group(1))]
    indices = vec("indices")
    ce_test = [indices[i] for i in vec("cleanevalTestSet")]
    w_train = [indices[i] for i in vec("web2textTrainingSet")]
    w_test = [indices[i] for i in vec("web2textTestSet")]
    return indices, set(ce_test), set(w_train), set(w_test)


# --------------------------------------------------------------------------
# git access
# --------------------------------------------------------------------------
class Git:
    def __init__(self, git_dir):
        self.git_dir = git_dir
        self.commit = subprocess.check_output(
            ["git", "--git-dir", git_dir, "rev-parse", "HEAD"], text=True).strip()
        self.proc = subprocess.Popen(
            ["git", "--git-dir", git_dir, "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ls(self, path):
        out = subprocess.check_output(
            ["git", "--git-dir", self.git_dir, "ls-tree", "--name-only", self.commit + ":" + path],
            text=True)
        return out.split()

    def read(self, path):
        self.proc.stdin.write(("%s:%s\n" % (self.commit, path)).encode())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode()
        if header.endswith("missing\n"):
            return None
        size = int(header.split()[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)
        return data


# --------------------------------------------------------------------------
# source reconstruction
# --------------------------------------------------------------------------
LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def scala_lines_source(text):
    """Reproduce CleanEval.loadOrigFile on an already decoded string."""
    lines = LINE_SPLIT.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    lines = lines[1:]
    return "\n".join(lines[:-1])


def declared_encoding(raw):
    first = raw.split(b"\n", 1)[0].decode("ascii", "ignore")
    m = re.search(r'encoding="([^"]*)"', first, re.I)
    enc = (m.group(1) if m else "").lower().strip()
    if enc in ("iso-8859-1", "windows-1252", "latin-1", "latin1", "us-ascii", "ascii", ""):
        return "cp1252"
    if enc in ("utf8",):
        return "utf-8"
    return enc


def decode_pair(raw):
    """Return (source, display_text, amap, lossy): ``source`` is web2text's
    string (matches the aligned file), amap[i] the index in it of display char
    i (-1 if web2text's decoding dropped that char).  When no mapping can be
    established the display text is the lossy source itself (lossy=True)."""
    src_b = scala_lines_source(raw.decode("utf-8", "ignore"))
    enc = declared_encoding(raw)
    try:
        disp_full = raw.decode(enc)
    except (LookupError, UnicodeDecodeError):
        disp_full = None
    if disp_full is None:
        try:
            disp_full = raw.decode("utf-8")
        except UnicodeDecodeError:
            disp_full = raw.decode("cp1252", "replace")
    disp = scala_lines_source(disp_full)
    ident = list(range(len(src_b)))
    if disp == src_b:
        return src_b, src_b, ident, False
    # greedy mapping: ASCII chars must match one to one, others may be dropped
    amap = []
    j = 0
    nb = len(src_b)
    for ch in disp:
        if j < nb and src_b[j] == ch:
            amap.append(j)
            j += 1
        elif ord(ch) < 128:
            return src_b, src_b, ident, True  # fall back to the lossy text
        else:
            amap.append(-1)
    if j != nb:
        return src_b, src_b, ident, True
    return src_b, disp, amap, False


# --------------------------------------------------------------------------
# block extraction with per-character gold flags
# --------------------------------------------------------------------------
BLOCK = set("""address article aside blockquote body br caption center dd details dialog dir div dl dt
fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr html
legend li main menu nav ol optgroup option p pre section summary table tbody td tfoot th thead tr ul
button label select textarea""".split())
SKIP = set("script style noscript template svg head title object applet iframe math map".split())
VOID = set("area base br col embed hr img input link meta param source track wbr".split())
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
WS = re.compile(r"\s+")
# characters treated as (collapsible) white space: NBSP, zero-width space/joiners, BOM, soft hyphen
INVISIBLE = set("\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad")


class BlockParser(HTMLParser):
    def __init__(self, text, flags):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.flags = flags
        starts = [0]
        for m in re.finditer("\n", text):
            starts.append(m.end())
        self.line_starts = starts
        self.skip = []          # stack of [tag, depth]
        self.in_head = False
        self.pre = 0
        self.cur = []           # list of (char, flag)
        self.lines = []         # list of (str, [flags])

    def pos(self):
        ln, col = self.getpos()
        return self.line_starts[ln - 1] + col

    # ---- line handling
    def flush(self):
        chars = self.cur
        self.cur = []
        out, fl = [], []
        pending_space = False
        for ch, f in chars:
            if ch.isspace() or ch in INVISIBLE:
                pending_space = True
                continue
            if pending_space and out:
                out.append(" ")
                fl.append(f)
            pending_space = False
            out.append(ch)
            fl.append(f)
        if out:
            self.lines.append(("".join(out), fl))

    def add(self, s, start):
        if self.skip or self.in_head:
            return
        for k, ch in enumerate(s):
            if self.pre and ch == "\n":
                self.flush()
                continue
            i = start + k if start is not None else None
            f = self.flags[i] if i is not None and 0 <= i < len(self.flags) else False
            self.cur.append((ch, f))

    # ---- events
    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, selfclosing=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, selfclosing=True)

    def _start(self, tag, attrs, selfclosing):
        if self.skip:
            if not selfclosing and tag == self.skip[-1][0]:
                self.skip[-1][1] += 1
            return
        if tag == "head" and not selfclosing:
            self.in_head = True
            return
        if self.in_head and (tag == "body" or (tag in BLOCK and tag not in ("html",))):
            self.in_head = False
        if tag in VOID or selfclosing:
            if tag in ("br", "hr"):
                self.flush()
            return
        a = dict((k, v or "") for k, v in attrs)
        hidden = "hidden" in a or HIDDEN_STYLE.search(a.get("style", "")) is not None
        if tag in SKIP or hidden:
            self.flush()
            self.skip.append([tag, 1])
            return
        if tag in BLOCK:
            self.flush()
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag):
        if self.skip:
            if tag == self.skip[-1][0]:
                self.skip[-1][1] -= 1
                if self.skip[-1][1] == 0:
                    self.skip.pop()
            return
        if tag == "head":
            self.in_head = False
            return
        if tag in BLOCK:
            self.flush()
        if tag == "pre" and self.pre:
            self.pre -= 1

    def handle_data(self, data):
        self.add(data, self.pos())

    def handle_entityref(self, name):
        p = self.pos()
        s = html.unescape("&%s;" % name)
        if s == "&%s;" % name:
            s = "&" + name
        f = any(self.flags[p:p + len(name) + 2])
        if not (self.skip or self.in_head):
            for ch in s:
                self.cur.append((ch, f))

    def handle_charref(self, name):
        p = self.pos()
        s = html.unescape("&#%s;" % name)
        f = any(self.flags[p:p + len(name) + 3])
        if not (self.skip or self.in_head):
            for ch in s:
                self.cur.append((ch, f))

    def close(self):
        try:
            super().close()
        finally:
            self.flush()


TOK = re.compile(r"\w+")


def gold_tokens(clean):
    lines = clean.split("\n")
    if lines and lines[0].startswith("URL:"):
        lines = lines[1:]
    txt = "\n".join(lines)
    txt = re.sub(r"(?i)<(l|h|p)>", " ", txt)
    return [t.lower() for t in TOK.findall(txt)]


def line_label(s, fl):
    idx = [k for k, ch in enumerate(s) if TOK.match(ch)]
    if not idx:
        idx = [k for k, ch in enumerate(s) if not ch.isspace()]
    if not idx:
        return "chrome", 0.0
    frac = sum(1 for k in idx if fl[k]) / len(idx)
    return ("body" if frac >= 0.5 else "chrome"), frac


def process_page(raw_html, aligned, clean):
    src_b, disp, amap, lossy = decode_pair(raw_html)
    if len(src_b) != len(aligned):
        return None, "length-mismatch"
    aflag = [c != BOX for c in aligned]
    flags = []
    last = False
    for j in amap:
        if j >= 0:
            last = aflag[j]
        flags.append(last)
    p = BlockParser(disp, flags)
    try:
        p.feed(disp)
        p.close()
    except Exception as e:  # pragma: no cover - html.parser is lenient
        return None, "parse-error:%s" % type(e).__name__
    lines = p.lines
    if len(lines) < 5:
        return None, "too-few-lines"
    text_parts, spans, fracs = [], [], []
    off = 0
    body_toks = collections.Counter()
    for s, fl in lines:
        lab, frac = line_label(s, fl)
        spans.append({"start": off, "end": off + len(s), "label": lab})
        fracs.append(frac)
        text_parts.append(s)
        off += len(s) + 1
        if lab == "body":
            body_toks.update(t.lower() for t in TOK.findall(s))
    text = "\n".join(text_parts)
    gold = collections.Counter(gold_tokens(clean))
    ng = sum(gold.values())
    if ng == 0:
        return None, "empty-gold"
    inter = sum((body_toks & gold).values())
    recall = inter / ng
    nb = sum(body_toks.values())
    precision = inter / nb if nb else 0.0
    stats = {"recall": recall, "precision": precision, "fracs": fracs, "lossy": lossy}
    if recall < 0.5:
        return None, "low-recall"
    return {"text": text, "lines": spans}, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--web2text-git", required=True, help="bare git dir of dalab/web2text (or a fork at the same commit)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-bytes", type=int, default=15_000_000, help="cap on uncompressed JSONL size")
    ap.add_argument("--allow-other-commit", action="store_true")
    args = ap.parse_args()

    git = Git(args.web2text_git)
    if git.commit != EXPECTED_COMMIT and not args.allow_other_commit:
        sys.exit("unexpected commit %s (expected %s)" % (git.commit, EXPECTED_COMMIT))
    indices, ce_test, w_train, w_test = parse_scala_splits(git.read(SCALA).decode())
    pages = sorted(int(n[:-5]) for n in git.ls(BASE + "/orig") if n.endswith(".html"))
    reasons = collections.Counter()
    kept = []
    total = 0
    label_counts = collections.Counter()
    recalls, precisions = [], []
    ambiguous = 0
    nlines = 0
    lossy = 0
    cands = []
    for n in pages:
        raw = git.read("%s/orig/%d.html" % (BASE, n))
        al = git.read("%s/aligned/%d.txt" % (BASE, n))
        cl = git.read("%s/clean/%d.txt" % (BASE, n))
        if al is None or cl is None:
            reasons["no-gold"] += 1
            continue
        rec, info = process_page(raw, al.decode("utf-8", "ignore"), cl.decode("utf-8", "ignore"))
        if rec is None:
            reasons[info] += 1
            continue
        split = "test" if n in ce_test else ("dev" if n in indices else None)
        w2t = "train" if n in w_train else ("test" if n in w_test else ("valid" if n in indices else None))
        obj = {
            "id": "cleaneval-%d" % n,
            "dataset": "cleaneval",
            "lang": "en",
            "text": rec["text"],
            "lines": rec["lines"],
            "coarse": True,
            "source": "%s@%s:%s/orig/%d.html" % (REPO_NAME, git.commit, BASE, n),
            "split": split,
            "split_web2text": w2t,
        }
        line = json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n"
        if info["lossy"]:
            lossy += 1
        cands.append((n, line, rec, info))
    # size cap: drop the largest pages first (ties: higher page number first)
    order = sorted(cands, key=lambda c: (-len(c[1].encode()), -c[0]))
    size = sum(len(c[1].encode()) for c in cands)
    dropped = set()
    for c in order:
        if size <= args.max_bytes:
            break
        dropped.add(c[0])
        size -= len(c[1].encode())
        reasons["size-cap"] += 1
    for n, line, rec, info in cands:
        if n in dropped:
            continue
        total += len(line.encode())
        kept.append(line)
        for sp in rec["lines"]:
            label_counts[sp["label"]] += 1
        recalls.append(info["recall"])
        precisions.append(info["precision"])
        ambiguous += sum(1 for f in info["fracs"] if 0.2 < f < 0.8)
        nlines += len(info["fracs"])
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        for line in kept:
            gz.write(line.encode())
    with open(args.out, "wb") as f:
        f.write(buf.getvalue())
    rs = sorted(recalls)
    ps = sorted(precisions)
    print(json.dumps({
        "commit": git.commit,
        "pages_total": len(pages),
        "pages_kept": len(kept),
        "skipped": dict(reasons),
        "lines": dict(label_counts),
        "uncompressed_bytes": total,
        "gold_token_recall_mean": round(sum(rs) / len(rs), 4) if rs else None,
        "gold_token_recall_p10": round(rs[len(rs) // 10], 4) if rs else None,
        "body_token_precision_mean": round(sum(ps) / len(ps), 4) if ps else None,
        "body_token_precision_p10": round(ps[len(ps) // 10], 4) if ps else None,
        "lines_with_gold_fraction_0.2_0.8": ambiguous,
        "lines_total": nlines,
        "pages_lossy_decoding": lossy,
    }, indent=1))


if __name__ == "__main__":
    main()
