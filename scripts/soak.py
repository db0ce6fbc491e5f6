"""The long robustness run of issue 8: millions of generated pages against the span contract.

    python scripts/soak.py                 # 1,000,000 inputs (some 10-20 minutes on 2 cores)
    python scripts/soak.py --n 100000      # a shorter run
    python scripts/soak.py --special       # also one line of 50 MB and a page of a million lines

Inputs are random Unicode (any code point, lone surrogates, controls, every line break) and
real-looking pages (examples/, ../shared/seeds/ when present, and lines of tests/contract.py)
mutated at random. They go to ``classify_many`` in batches and every page is checked against the
contract of tests/test_properties.py (tests/contract.py: ordered, disjoint spans that cover every
non-space character, labels, scores); for a sample, ``classify`` and ``clean`` must agree and a
reversed batch give the same spans. Progress goes to stderr; the last line gives the counts.
Failing inputs are written (as JSON strings) to --failures. Exit code 1 if anything failed.
"""

from __future__ import annotations

import argparse
import json
import random
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
    ap.add_argument("--failures", default="soak-failures.jsonl", help="where failing inputs are written")
    args = ap.parse_args(argv)

    splitter = langsplit.Splitter.load()
    rng = random.Random(args.seed)
    pages = real_pages()
    done = failed = 0
    failure_file = None
    start = last = time.perf_counter()

    def fail(text: str, why: str) -> None:
        nonlocal failed, failure_file
        failed += 1
        if failure_file is None:
            failure_file = open(args.failures, "w", encoding="utf-8")  # noqa: SIM115
        failure_file.write(json.dumps({"why": why, "text": text}) + "\n")
        failure_file.flush()
        print(f"FAILURE #{failed}: {why.splitlines()[-1][:200]}", file=sys.stderr)

    while done < args.n:
        batch = [generate(rng, pages) for _ in range(min(args.batch, args.n - done))]
        try:
            results = splitter.classify_many(batch)
        except Exception:  # noqa: BLE001 - find the page, keep going
            for text in batch:
                try:
                    check_page(text, splitter.classify(text))
                except Exception:  # noqa: BLE001
                    fail(text, traceback.format_exc())
            done += len(batch)
            continue
        for text, spans in zip(batch, results):
            try:
                check_page(text, spans)
            except Exception:  # noqa: BLE001
                fail(text, traceback.format_exc())
        k = rng.randrange(len(batch))  # a sample: one page alone, clean, a reversed part of the batch
        try:
            assert splitter.classify(batch[k]) == results[k], "classify differs from classify_many"
            keep = tuple(sorted(rng.sample(langsplit.LABELS, rng.randint(1, 3))))
            assert splitter.clean(batch[k], keep) == kept(batch[k], results[k], keep), "clean differs"
            assert splitter.classify_many(batch[:-6:-1]) == results[:-6:-1], "depends on the batch"
        except Exception:  # noqa: BLE001
            fail(batch[k], traceback.format_exc())
        done += len(batch)
        now = time.perf_counter()
        if now - last >= 10 or done >= args.n:
            last = now
            print(f"{done:,}/{args.n:,} inputs, {failed} failures, {done / (now - start):,.0f} inputs/s",
                  file=sys.stderr, flush=True)

    if args.special:
        special_failures = special_cases(splitter)
        failed += special_failures
        done += 2
    if failure_file is not None:
        failure_file.close()
    print(f"soak: {done:,} inputs checked, {failed} failures, {time.perf_counter() - start:.0f} s"
          + (f" (failing inputs in {args.failures})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
