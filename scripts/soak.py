"""The long robustness run of issue 8: millions of generated pages against the span contract.

    python scripts/soak.py                 # 1,000,000 inputs (1-2 hours on one core)
    python scripts/soak.py --n 100000      # a shorter run
    python scripts/soak.py --special       # also one line of 50 MB and a page of a million lines
    python scripts/soak.py --state soak-state.json   # resumable: a rerun goes on where it stopped

Inputs are random Unicode (any code point, lone surrogates, controls, every line break) and
real-looking pages (examples/, ../shared/seeds/ when present, and lines of tests/contract.py)
mutated at random. They go to ``classify_many`` in batches and every page is checked against the
contract of tests/test_properties.py (tests/contract.py: ordered, disjoint spans that cover every
non-space character, labels, scores); for a sample, ``classify`` and ``clean`` must agree and a
reversed batch give the same spans. Progress goes to stderr (with the peak memory, which stays
flat: nothing is kept between batches); the last line on stdout gives the inputs checked and the
failures by kind. Failing inputs are appended (as JSON) to --failures. Exit code 1 if anything failed.

Batch k is generated from its own seed (--seed, k), so with --state a killed run resumes at the
first unfinished batch and checks exactly the inputs an uninterrupted run would have.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import langsplit  # noqa: E402
from contract import check_page, kept, random_page, random_unicode  # noqa: E402


def real_pages() -> list[str]:
    paths = sorted((ROOT / "examples").glob("*.txt")) + sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def generate(rng: random.Random, pages: list[str]) -> str:
    r = rng.random()
    if r < 0.45:
        return random_unicode(rng, rng.choice([20, 400, 3000]))
    return random_page(rng, pages)


def failure_kind(where: str, exc: BaseException) -> str:
    """A short name for a failure, with the page-specific numbers and spans taken out, to count by."""
    msg = str(exc).splitlines()[0] if str(exc) else ""
    msg = re.sub(r"Span\([^)]*\)", "<span>", msg)
    msg = re.sub(r"\d+", "N", msg)[:80]
    return f"{where}: {type(exc).__name__}" + (f" ({msg})" if msg else "")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def special_cases(splitter: langsplit.Splitter) -> int:
    """The two big inputs of the issue; returns the number of failures."""
    failures = 0
    rng = random.Random(50)
    words = ["Log in", "News", "Sport", "a", "·", "12", "Ok.", "Mehr", "新闻", "Он сказал."]
    cases = {
        "one line of 50 MB": ("Wörd, 7 ünïcode 東京 " * (50_000_000 // 18))[:50_000_000],
        "a million short lines": "\n".join(f"{rng.choice(words)} {i % 97}" for i in range(1_000_000)),
    }
    for name, text in cases.items():
        start = time.perf_counter()
        try:
            spans = splitter.classify(text)
            check_page(text, spans)
            print(f"{name}: {len(spans):,} spans in {time.perf_counter() - start:.1f} s, ok", file=sys.stderr)
        except Exception:  # noqa: BLE001 - report and count
            failures += 1
            print(f"{name}: FAILED\n{traceback.format_exc()}", file=sys.stderr)
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="generated inputs to check (default 1,000,000)")
    ap.add_argument("--batch", type=int, default=50, help="pages per classify_many call")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--special", action="store_true", help="also the 50 MB line and the million-line page")
    ap.add_argument("--failures", default="soak-failures.jsonl", help="where failing inputs are appended")
    ap.add_argument("--state", help="a JSON file of progress, written as the run goes; a rerun resumes from it")
    args = ap.parse_args(argv)

    splitter = langsplit.Splitter.load()
    pages = real_pages()
    state = {"seed": args.seed, "batch": args.batch, "done": 0, "failed": 0, "kinds": {}, "seconds": 0.0}
    if args.state and os.path.exists(args.state):
        with open(args.state, encoding="utf-8") as f:
            saved = json.load(f)
        if (saved["seed"], saved["batch"]) != (args.seed, args.batch):
            ap.error(f"{args.state} is of a run with --seed {saved['seed']} --batch {saved['batch']}")
        state = saved
        print(f"resuming at {state['done']:,} inputs ({state['failed']} failures so far)", file=sys.stderr)
    kinds: dict[str, int] = state["kinds"]
    done_before = state["done"]
    start = last = time.perf_counter()

    def save_state() -> None:
        if args.state:
            tmp = args.state + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(state, f, indent=1)
            os.replace(tmp, args.state)

    def fail(text: str, where: str, exc: BaseException) -> None:
        kind = failure_kind(where, exc)
        kinds[kind] = kinds.get(kind, 0) + 1
        state["failed"] += 1
        # Opened per failure: failures are rare, and an appended line survives a kill.
        with open(args.failures, "a", encoding="utf-8") as f:
            f.write(json.dumps({"kind": kind, "why": traceback.format_exc(), "text": text}) + "\n")
        print(f"FAILURE #{state['failed']}: {kind}", file=sys.stderr)

    while state["done"] < args.n:
        k = state["done"] // args.batch
        rng = random.Random(f"{args.seed}:{k}")
        batch = [generate(rng, pages) for _ in range(min(args.batch, args.n - state["done"]))]
        try:
            results = splitter.classify_many(batch)
        except Exception:  # noqa: BLE001 - find the page, keep going
            for text in batch:
                try:
                    check_page(text, splitter.classify(text))
                except Exception as e:  # noqa: BLE001
                    fail(text, "classify", e)
            results = None
        for text, spans in zip(batch, results or ()):
            try:
                check_page(text, spans)
            except Exception as e:  # noqa: BLE001
                fail(text, "contract", e)
        if results is not None:
            i = rng.randrange(len(batch))  # a sample: one page alone, clean, a reversed part of the batch
            try:
                assert splitter.classify(batch[i]) == results[i], "classify differs from classify_many"
                keep = tuple(sorted(rng.sample(langsplit.LABELS, rng.randint(1, 3))))
                assert splitter.clean(batch[i], keep) == kept(batch[i], results[i], keep), "clean differs"
                assert splitter.classify_many(batch[:-6:-1]) == results[:-6:-1], "depends on the batch"
            except Exception as e:  # noqa: BLE001
                fail(batch[i], "consistency", e)
        state["done"] += len(batch)
        now = time.perf_counter()
        if now - last >= 10 or state["done"] >= args.n:
            state["seconds"] += now - last
            last = now
            save_state()
            rate = (state["done"] - done_before) / (now - start)
            print(f"{state['done']:,}/{args.n:,} inputs, {state['failed']} failures, {rate:,.0f} inputs/s, "
                  f"peak RSS {peak_rss_mb():,.0f} MB", file=sys.stderr, flush=True)

    total = state["done"]
    if args.special:
        special_failures = special_cases(splitter)
        state["failed"] += special_failures
        if special_failures:
            kinds["special"] = kinds.get("special", 0) + special_failures
        total += 2
    by_kind = "; ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none"
    print(f"soak: {total:,} inputs checked (seed {args.seed}), {state['failed']} failures (by kind: {by_kind}), "
          f"{state['seconds']:,.0f} s, peak RSS {peak_rss_mb():,.0f} MB"
          + (f"; failing inputs in {args.failures}" if state["failed"] else ""))
    return 1 if state["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
