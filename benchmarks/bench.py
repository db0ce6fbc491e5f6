"""Speed benchmark of langsplit against its floor (lid.176 alone) and its peers (issue 7).

Run from the repository root (the corpus comes from ``training/corpus.py``):

    python benchmarks/bench.py                 # full run
    python benchmarks/bench.py --quick         # page-count scaling capped at 10,000 pages
    python benchmarks/bench.py --json out.json # also write every figure for machines
    python benchmarks/bench.py --profile benchmarks/profile-before.txt   # only the cProfile

It is a script, not a test: timings depend on the machine.  Everything runs on one
pinned core, and every langsplit figure is also printed as a ratio to lid.176 alone,
C4-style line rules and jusText measured in the same run on the same text, because
ratios survive a noisy machine better than MB/s do.  See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import html
import io
import json
import os
import platform
import pstats
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The corpus generator lives in training/, which is not part of the installed package.
# Appended, not prepended, so that a langsplit put first on PYTHONPATH (another checkout)
# is the one measured.
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

CORPUS_SEED = 2024  # fixed: the same pages on every run and every machine with the same data
CHUNK_PAGES = 64
HUGE_SIZES = (10_000, 1_000_000, 20_000_000)  # bytes of one page
MANY_COUNTS = (1_000, 10_000, 100_000)  # pages
QUICK_MAX_PAGES = 10_000
TARGETS = {  # issue 7, one core
    "classify_many_mb_s": 5.0,  # at least
    "ratio_to_lid": 3.0,  # at most
    "load_s": 0.5,  # at most
    "peak_rss_mb": 300.0,  # at most
}
MB = 1e6  # MB/s means 10^6 bytes of UTF-8 text per second


def log(msg: str) -> None:
    # Progress goes to stderr so that stdout holds only the report.
    print(msg, file=sys.stderr, flush=True)


# ---- the corpus --------------------------------------------------------------------------------

def make_corpus(n_pages: int, seed: int = CORPUS_SEED) -> list[dict]:
    """n_pages dev pages of the training generator: several languages, families and locales.

    The three dev sets are interleaved so that any prefix mixes unseen families, locales
    and articles alike.  Only the text and the article language are kept.
    """
    from training import corpus

    per_set = -(-n_pages // 3)
    sets = corpus.build(0, per_set, seed=seed, with_train=False)
    names = sorted(k for k in sets if k.startswith("dev_"))
    pages: list[dict] = []
    for i in range(per_set):
        for name in names:
            if i < len(sets[name]):
                p = sets[name][i]
                pages.append({"text": p["text"], "lang": p.get("lang", "und")})
    return pages[:n_pages]


def fingerprint(texts: list[str]) -> str:
    # Lets two runs (or two commits) check that they measured the same pages.
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def cycle_pages(texts: list[str], n: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(n)]


def huge_page(texts: list[str], size: int) -> str:
    """One page of about ``size`` UTF-8 bytes: corpus pages concatenated (repeated if needed).

    Repeated pages are on purpose: they exercise repetition counting, whose cost must stay
    linear.  Cut at a line boundary so that no line is broken.
    """
    parts, total, i = [], 0, 0
    while total < size:
        t = texts[i % len(texts)]
        parts.append(t)
        total += len(t.encode("utf-8")) + 2
        i += 1
    page = "\n\n".join(parts)
    data = page.encode("utf-8")
    if len(data) > size:
        cut = data.rfind(b"\n", 0, size)
        page = data[:cut if cut > 0 else size].decode("utf-8", "ignore")
    return page


# ---- the peers ---------------------------------------------------------------------------------

# C4's line rules (Raffel et al. 2020, section 2.2), written here from the paper's description.
# It is the cheapest credible line filter, so it shows what a rule-based pass costs.
_C4_TERMINAL = set('.!?"') | set("。！？")  # CJK marks added: the corpus is multilingual
_C4_CLOSERS = set("\"'”’»)")
_C4_BAD_SUBSTRINGS = (
    "javascript", "lorem ipsum", "{", "}",
    "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies",
)
_C4_CITATION = re.compile(r"\[\d+\]|\[edit\]|\[citation needed\]", re.IGNORECASE)
_C4_SENTENCE = re.compile(r"[.!?。！？](?=\s|$)")


def c4_lines(text: str, min_words: int = 3, min_sentences: int = 5, max_word_len: int = 1000) -> list[str]:
    """The lines of ``text`` that C4-style rules keep (empty when the page fails as a whole)."""
    kept = []
    for raw in text.splitlines():
        line = _C4_CITATION.sub("", raw).strip()
        if not line:
            continue
        last = line[-1]
        if last in _C4_CLOSERS and len(line) > 1:
            last = line[-2]
        if last not in _C4_TERMINAL:
            continue
        words = line.split()
        if len(words) < min_words or max(len(w) for w in words) > max_word_len:
            continue
        low = line.lower()
        if any(s in low for s in _C4_BAD_SUBSTRINGS):
            continue
        kept.append(line)
    # C4 drops pages with too few sentences; counted on the kept text, as C4 does.
    if sum(len(_C4_SENTENCE.findall(line)) for line in kept) < min_sentences:
        return []
    return kept


# jusText needs a stoplist per language; ISO codes of the corpus -> jusText's names.
# Languages without one (ja, zh, ko ...) run in jusText's language-independent mode.
_JUSTEXT_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "no": "Norwegian_Bokmal", "da": "Danish",
    "fi": "Finnish", "pl": "Polish", "cs": "Czech", "ro": "Romanian", "ru": "Russian",
    "tr": "Turkish", "id": "Indonesian", "ar": "Arabic", "ko": "Korean", "uk": "Ukrainian",
    "hu": "Hungarian", "el": "Greek",
}


def justext_inputs(pages: list[dict]):
    """(html, stoplist) per page, made before timing: the <p> wrapping is the benchmark's, not jusText's.

    Stoplists come from the corpus's known article language, so jusText's figure leaves out
    the language identification it would need on real pages: it flatters jusText.
    """
    import justext

    available = set(justext.get_stoplists())
    cache: dict[str, frozenset] = {}
    out = []
    for p in pages:
        name = _JUSTEXT_NAMES.get(p["lang"])
        if name not in cache:
            cache[name] = justext.get_stoplist(name) if name in available else frozenset()
        body = "".join(f"<p>{html.escape(line.strip())}</p>\n" for line in p["text"].splitlines() if line.strip())
        out.append((f"<html><head><meta charset='utf-8'></head><body>\n{body}</body></html>", cache[name]))
    return out


# ---- measuring ---------------------------------------------------------------------------------

class Stats:
    """Bytes, pages and non-blank lines of a set of pages, to turn seconds into rates."""

    def __init__(self, texts: list[str]):
        from langsplit.segment import split_lines

        self.bytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
        self.docs = len(texts)
        self.lines = sum(len(split_lines(t)) for t in texts)

    def rates(self, times: tuple[float, float]) -> dict:
        seconds, cpu = times
        s = max(seconds, 1e-9)
        return {"seconds": seconds, "cpu_seconds": cpu, "mb_s": self.bytes / MB / s, "docs_s": self.docs / s,
                "lines_s": self.lines / s}


def timed(fn, repeat: int = 1, setup=None) -> tuple[float, float]:
    """Wall and CPU seconds of the best of ``repeat`` runs (the least disturbed by other processes).

    CPU time is reported beside wall time because on a shared machine the pinned core can be
    taken away: wall well above CPU means the figure includes waiting.  With ``setup``, each
    run calls ``fn(setup())``, the setup untimed.
    """
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        arg = setup() if setup else None
        t0, c0 = time.perf_counter(), time.process_time()
        fn(arg) if setup else fn()
        best = min(best, (time.perf_counter() - t0, time.process_time() - c0))
    return best


def timed_in_turns(runs: list, repeat: int = 1) -> list[tuple[float, float]]:
    """timed() for several (fn, setup) pairs, taking turns: run 1 of each, then run 2 of each...

    On a machine whose speed drifts (a shared VM), the best runs of two figures measured
    one after the other can come from different spells; taking turns lets both meet the
    same spells, which is what a ratio of the two needs.
    """
    best = [(float("inf"), float("inf"))] * len(runs)
    for _ in range(repeat):
        for k, (fn, setup) in enumerate(runs):
            best[k] = min(best[k], timed(fn, 1, setup))
    return best


WARM_UP = "Warm-up headline\n\nA first paragraph of the warm-up page, long enough to be prose."


def fresh_splitter():
    """A newly loaded Splitter, warmed up on a page outside the corpus.

    A Splitter remembers the language and line-text answers for repeated short lines
    (langsplit/linefacts.py).  Each timed figure starts with an empty memory, as a worker
    does: otherwise a second pass over the same corpus would be served from memory.
    """
    import langsplit

    splitter = langsplit.Splitter.load()
    splitter.classify_many([WARM_UP])  # first-call allocations, lazy imports
    return splitter


def run_child(code: str, args: list[str], timeout: float) -> dict:
    """Run ``code`` in a fresh interpreter (same venv, same sys.path, same pinned core)."""
    # Run from a neutral folder: `python -c` puts the working folder first on sys.path, which
    # would shadow a langsplit put on PYTHONPATH with the checkout's own.
    try:
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                              timeout=timeout, cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        return {"error": f"failed: {tail}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# In its own interpreter, so that nothing is imported or cached yet: what a worker pays at start.
_LOAD_CHILD = """
import json, time
t0 = time.perf_counter()
import langsplit
langsplit.Splitter.load()
print(json.dumps({"load_s": time.perf_counter() - t0, "path": langsplit.__file__}))
"""

# The peak RSS of this process.  VmHWM first: Linux carries the parent's high-water mark into
# a child's ru_maxrss at exec (the forked copy counts), so ru_maxrss of a child started by this
# benchmark would report the benchmark's own peak; VmHWM belongs to the new address space alone.
_PEAK_RSS = """
import resource
def peak_rss_mb():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

# A batch worker: loads the model and streams the corpus through classify_many chunk by
# chunk, so that its peak RSS is the worker's, not that of a corpus held in memory.
_RSS_CHILD = _PEAK_RSS + """
import json, sys
import langsplit
s = langsplit.Splitter.load()
after_load = peak_rss_mb()
chunk = []
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        chunk.append(json.loads(line))
        if len(chunk) == int(sys.argv[2]):
            s.classify_many(chunk)
            chunk = []
if chunk:
    s.classify_many(chunk)
print(json.dumps({"rss_after_load_mb": after_load, "peak_rss_mb": peak_rss_mb()}))
"""

# One huge page in its own interpreter, under a timeout: a quadratic step must not hang the run.
_HUGE_CHILD = _PEAK_RSS + """
import json, sys, time
import langsplit
s = langsplit.Splitter.load()
s.classify("Warm-up headline\\n\\nA first paragraph of the warm-up page, long enough to be prose.")
text = open(sys.argv[1], encoding="utf-8").read()
times = []
for _ in range(int(sys.argv[2])):
    t0, c0 = time.perf_counter(), time.process_time()
    spans = s.classify(text)
    times.append((time.perf_counter() - t0, time.process_time() - c0))
times.sort()
wall, cpu = times[len(times) // 2]
print(json.dumps({"seconds": wall, "cpu_seconds": cpu, "lines": len(spans), "peak_rss_mb": peak_rss_mb()}))
"""


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    import langsplit

    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": version("numpy"),
        "scikit-learn": version("scikit-learn"),
        "fasttext": version("fasttext-numpy2"),
        "justext": version("justext"),
        "langsplit": langsplit.__version__,
        "langsplit_path": str(Path(langsplit.__file__).parent),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    # Which code was measured: the commit, and whether the package had uncommitted changes.
    try:
        pkg = Path(langsplit.__file__).parent
        commit = subprocess.run(["git", "-C", str(pkg), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(pkg), "status", "--porcelain", "--", "."],
                               capture_output=True, text=True, timeout=10)
        info["git"] = (commit.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
                       if commit.returncode == 0 else "no git checkout")
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def pin(cpu: int | None) -> int | None:
    """Pin this process (and so its children) to one core; None where the OS cannot."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1] if cpu is None else cpu
    os.sched_setaffinity(0, {cpu})
    return cpu


# ---- the run -----------------------------------------------------------------------------------

def measure(args) -> dict:
    import langsplit
    from langsplit.segment import split_lines

    res: dict = {"command": command_line(), "machine": machine_info(), "pinned_cpu": args.pinned_cpu}
    t0 = time.perf_counter()
    pages = make_corpus(args.pages)
    texts = [p["text"] for p in pages]
    st = Stats(texts)
    res["corpus"] = {"pages": st.docs, "lines": st.lines, "mb": st.bytes / MB, "seed": CORPUS_SEED,
                     "languages": len({p["lang"] for p in pages}), "sha256_16": fingerprint(texts),
                     "build_s": time.perf_counter() - t0}
    log(f"corpus: {st.docs} pages, {st.lines} lines, {st.bytes / MB:.1f} MB")

    splitter = fresh_splitter()
    assert splitter.n_threads == 1, "the benchmark measures the default: one classifier thread"

    rows: dict[str, dict] = {}
    # The floor: fastText's lid.176 itself over every line, batched as classify_many batches
    # them; splitting lines is done before timing.  It is fastText's predict on the lines as
    # they are, not langsplit's LID step (which normalises lines and asks once per distinct
    # line), so that work on langsplit's own code cannot move the floor.  The two take turns
    # (timed_in_turns): the target is their ratio.
    import fasttext

    fasttext.FastText.eprint = lambda *a, **k: None
    line_chunks = [[l.text for t in c for l in split_lines(t)] for c in chunks(texts, args.chunk)]
    lid176 = fasttext.load_model(str(splitter.lid.path))
    log("langsplit classify_many and lid.176 alone, taking turns ...")
    many, floor = timed_in_turns([
        (lambda s: [s.classify_many(c) for c in chunks(texts, args.chunk)], fresh_splitter),
        (lambda: [lid176.predict(c, k=1) for c in line_chunks], None),
    ], args.repeat)
    rows["langsplit classify_many"] = st.rates(many)
    log("langsplit classify, one page at a time ...")
    rows["langsplit classify"] = st.rates(timed(
        lambda s: [s.classify(t) for t in texts], args.repeat, fresh_splitter))
    rows["lid.176 alone"] = st.rates(floor)
    log("langsplit's LID step ...")
    rows["langsplit's LID step"] = st.rates(timed(lambda: [splitter.lid.predict(c) for c in line_chunks],
                                                  args.repeat))

    log("C4 line rules ...")
    rows["C4-style line rules"] = st.rates(timed(lambda: [c4_lines(t) for t in texts], args.repeat))

    try:
        import justext
    except ImportError:
        justext = None
        log("jusText not installed (pip install '.[bench]'): skipped")
    if justext is not None:
        log("jusText ...")
        inputs = justext_inputs(pages)
        rows["jusText (<p> per line)"] = st.rates(timed(
            lambda: [justext.justext(h, stop) for h, stop in inputs], args.repeat))
    res["throughput"] = rows

    many = rows["langsplit classify_many"]["seconds"]
    res["ratios"] = {name: many / r["seconds"] for name, r in rows.items() if name != "langsplit classify_many"}

    log("model load (3 fresh interpreters) ...")
    loads = [run_child(_LOAD_CHILD, [], timeout=300) for _ in range(3)]
    good = [r["load_s"] for r in loads if "load_s" in r]
    res["load"] = {"median_s": statistics.median(good) if good else None, "runs_s": good,
                   "errors": [r["error"] for r in loads if "error" in r]}
    child_paths = {str(Path(r["path"]).parent) for r in loads if "path" in r}
    if child_paths - {res["machine"]["langsplit_path"]}:
        log(f"warning: the child interpreters loaded langsplit from {child_paths}")

    with tempfile.TemporaryDirectory(prefix="langsplit-bench-") as tmp:
        corpus_file = Path(tmp) / "corpus.jsonl"
        with open(corpus_file, "w", encoding="utf-8") as fh:
            for t in texts:
                fh.write(json.dumps(t) + "\n")
        log("peak RSS of a classify_many worker ...")
        res["memory"] = run_child(_RSS_CHILD, [str(corpus_file), str(args.chunk)], timeout=3600)

        if not args.no_scaling:
            res["scaling_page_size"] = []
            for size in HUGE_SIZES:
                log(f"one page of {size:,} bytes ...")
                page_file = Path(tmp) / f"page-{size}.txt"
                page_file.write_text(huge_page(texts, size), encoding="utf-8")
                real = page_file.stat().st_size
                # Small pages are timed many times (median) so that the figure is not noise.
                reps = 21 if size <= 100_000 else 1
                r = run_child(_HUGE_CHILD, [str(page_file), str(reps)], timeout=args.timeout)
                if "seconds" in r:
                    r["s_per_mb"] = r["seconds"] / (real / MB)
                res["scaling_page_size"].append({"nominal": size, "bytes": real, **r})

    if not args.no_scaling:
        res["scaling_pages"] = []
        counts = [n for n in MANY_COUNTS if not args.quick or n <= QUICK_MAX_PAGES]
        for n in counts:
            log(f"{n} pages through classify_many ...")
            batch = cycle_pages(texts, n)
            nbytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in batch)
            secs, cpu = timed(lambda s: [s.classify_many(c) for c in chunks(batch, args.chunk)],
                              setup=fresh_splitter)
            res["scaling_pages"].append({"pages": n, "bytes": nbytes, "seconds": secs, "cpu_seconds": cpu,
                                         "s_per_mb": secs / (nbytes / MB), "docs_s": n / secs})

    res["targets"] = check_targets(res)
    # Printed with the start's: a load that rose during the run explains odd figures.
    res["machine"]["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    return res


def check_targets(res: dict) -> list[dict]:
    many = res["throughput"]["langsplit classify_many"]["mb_s"]
    ratio = res["ratios"]["lid.176 alone"]
    load = res["load"]["median_s"]
    rss = res.get("memory", {}).get("peak_rss_mb")
    return [
        {"target": f">= {TARGETS['classify_many_mb_s']:g} MB/s through classify_many", "value": f"{many:.2f} MB/s",
         "met": many >= TARGETS["classify_many_mb_s"]},
        {"target": f"total cost <= {TARGETS['ratio_to_lid']:g}x lid.176 alone", "value": f"{ratio:.1f}x",
         "met": ratio <= TARGETS["ratio_to_lid"]},
        {"target": f"model load <= {TARGETS['load_s']:g} s", "value": "-" if load is None else f"{load:.2f} s",
         "met": load is not None and load <= TARGETS["load_s"]},
        {"target": f"peak RSS <= {TARGETS['peak_rss_mb']:g} MB", "value": "-" if rss is None else f"{rss:.0f} MB",
         "met": rss is not None and rss <= TARGETS["peak_rss_mb"]},
    ]


def command_line() -> str:
    script = os.path.relpath(os.path.abspath(sys.argv[0]), os.getcwd())
    return shlex.join(["python", script, *sys.argv[1:]])


# ---- the report --------------------------------------------------------------------------------

def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, readable on a terminal and pasteable into the README as is."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def fmt(r):
        return "| " + " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                 for i, (c, w) in enumerate(zip(r, widths))) + " |"

    sep = "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"
    return "\n".join([fmt(header), sep, *[fmt(r) for r in rows]])


def report(res: dict) -> str:
    m, c = res["machine"], res["corpus"]
    out = [
        f"command: {res['command']}",
        f"machine: {m['cpu']}, {m['cores']} cores (pinned to cpu {res['pinned_cpu']}), Python {m['python']}, "
        f"numpy {m['numpy']}, scikit-learn {m['scikit-learn']}, fasttext {m['fasttext']}, jusText {m['justext']}",
        f"langsplit {m['langsplit']} at {m.get('git', '?')} ({m['langsplit_path']}); "
        f"load average at start {' '.join(f'{x:.2f}' for x in m['load_average'] or [])}, "
        f"at end {' '.join(f'{x:.2f}' for x in m.get('load_average_end') or [])}",
        f"corpus: {c['pages']:,} pages, {c['lines']:,} lines, {c['mb']:.2f} MB, {c['languages']} languages "
        f"(training/corpus.py dev sets, seed {c['seed']}, sha256 {c['sha256_16']})",
        "",
        "Throughput, one core (1 MB = 10^6 bytes of UTF-8 text):",
        "",
    ]
    rows = []
    for name, r in res["throughput"].items():
        ratio = res["ratios"].get(name)
        rows.append([name, f"{r['seconds']:.2f}", f"{r['cpu_seconds']:.2f}", f"{r['mb_s']:.2f}", f"{r['docs_s']:,.0f}",
                     f"{r['lines_s']:,.0f}", "1.00" if ratio is None else f"{ratio:.2f}"])
    out.append(table(["", "s", "CPU s", "MB/s", "docs/s", "lines/s", "classify_many s / this s"], rows))
    out += ["", "langsplit classify_many costs " + ", ".join(
        f"{v:.1f}x {k}" for k, v in res["ratios"].items() if k != "langsplit classify") + "."]

    load, mem = res["load"], res.get("memory", {})
    out += ["", "Model load (import langsplit + Splitter.load() in a fresh interpreter, median of 3): "
            + ("failed: " + "; ".join(load["errors"]) if load["median_s"] is None
               else f"{load['median_s']:.2f} s (runs: {', '.join(f'{x:.2f}' for x in load['runs_s'])})")]
    out.append("Peak RSS of a worker that loads the model and streams the corpus through classify_many: "
               + (mem["error"] if "error" in mem else
                  f"{mem['peak_rss_mb']:.0f} MB ({mem['rss_after_load_mb']:.0f} MB after loading)"))

    if res.get("scaling_page_size") or res.get("scaling_pages"):
        out += ["", "Scaling (classify on one page; classify_many over many pages):", ""]
        rows = []
        for r in res.get("scaling_page_size", []):
            size = r["nominal"]
            name = f"one page of {size / MB:g} MB" if size >= MB else f"one page of {size / 1e3:g} KB"
            if "error" in r:
                rows.append([name, r["error"], "-", "-", "-"])
            else:
                rows.append([name, f"{r['seconds']:.3f}", f"{r['cpu_seconds']:.3f}", f"{r['s_per_mb']:.2f}",
                             f"{r['peak_rss_mb']:.0f}"])
        for r in res.get("scaling_pages", []):
            rows.append([f"{r['pages']:,} pages ({r['bytes'] / MB:.1f} MB)", f"{r['seconds']:.2f}",
                         f"{r['cpu_seconds']:.2f}", f"{r['s_per_mb']:.2f}", ""])
        out.append(table(["input", "s", "CPU s", "s per MB", "peak RSS MB"], rows))

    out += ["", "Targets of issue 7:", ""]
    out.append(table(["target", "measured", "met"],
                     [[t["target"], t["value"], "yes" if t["met"] else "NO"] for t in res["targets"]]))
    met = sum(t["met"] for t in res["targets"])
    out += ["", f"{met} of {len(res['targets'])} targets met."]
    return "\n".join(out)


# ---- profile -----------------------------------------------------------------------------------

def profile(args) -> None:
    """cProfile of one classify_many call over ``--profile-pages`` pages: the top entries by cumulative time."""
    import langsplit

    texts = [p["text"] for p in make_corpus(args.profile_pages)]
    splitter = fresh_splitter()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.runcall(splitter.classify_many, texts)
    wall = time.perf_counter() - t0
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    m = machine_info()
    head = (f"# {command_line()}\n"
            f"# one classify_many call over {len(texts)} pages "
            f"({sum(len(t.encode('utf-8')) for t in texts) / MB:.2f} MB), {wall:.2f} s under cProfile\n"
            f"# langsplit {m['langsplit']} at {m.get('git', '?')}; {m['cpu']}, pinned to cpu {args.pinned_cpu}; "
            f"Python {m['python']}, numpy {m['numpy']}, scikit-learn {m['scikit-learn']}\n")
    # Paths relative to the checkout and the venv, so that profiles of two machines diff cleanly.
    pkg_root = str(Path(langsplit.__file__).parent.parent) + "/"
    text = head + buf.getvalue().replace(pkg_root, "").replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
    Path(args.profile).write_text(text, encoding="utf-8")
    print(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=3000, help="pages in the corpus (default 3000)")
    ap.add_argument("--quick", action="store_true", help=f"cap the page-count scaling at {QUICK_MAX_PAGES:,} pages")
    ap.add_argument("--no-scaling", action="store_true", help="skip the scaling measurements")
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    ap.add_argument("--cpu", type=int, help="the core to pin to (default: the last one allowed)")
    ap.add_argument("--chunk", type=int, default=CHUNK_PAGES, help=f"pages per classify_many call (default {CHUNK_PAGES})")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each throughput figure; the best counts (default 1)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed for one huge page (default 900)")
    ap.add_argument("--profile", metavar="FILE", help="only profile one classify_many call and write the top 25 to FILE")
    ap.add_argument("--profile-pages", type=int, default=500, help="pages in the profiled call (default 500)")
    args = ap.parse_args(argv)
    if args.pages < 1 or args.chunk < 1 or args.repeat < 1:
        ap.error("--pages, --chunk and --repeat must be at least 1")

    args.pinned_cpu = pin(args.cpu)
    if args.profile:
        profile(args)
        return 0
    res = measure(args)
    print(report(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
