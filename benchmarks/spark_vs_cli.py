"""Throughput of `langsplit spark-clean` (Spark local mode) against `langsplit clean -j N`, same data.

    python benchmarks/spark_vs_cli.py --docs 5000 --cores 2

Writes the documents (generated dev pages of the training corpus, interleaved
with the seed pages when ../shared/seeds is there) once as JSONL and once as
Parquet, then times, each as a fresh command: the batch CLI over the JSONL
file with N workers, and spark-clean over the Parquet file with
local[N].  Both times include starting up (loading the model; for Spark also
the JVM).  Prints docs/s and MB/s of each and checks that both produced the
same clean text for every document.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus(n: int) -> list[dict]:
    from training import corpus as gen

    sets = gen.build(0, max(1, n // 3 + 1), seed=7, with_train=False)
    pages = [p for trio in zip(*sets.values()) for p in trio]
    seeds = ROOT.parent / "shared" / "seeds" / "gold.jsonl"
    if seeds.exists():
        real = [json.loads(line) for line in seeds.read_text(encoding="utf-8").splitlines() if line.strip()]
        pages = [real[i % len(real)] if i % 20 == 0 else p for i, p in enumerate(pages)]
    return [{"id": f"d{i:06d}", "text": p["text"]} for i, p in enumerate(pages[:n])]


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--cores", type=int, default=2)
    args = ap.parse_args()
    import pandas as pd

    docs = corpus(args.docs)
    mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
    exe = [sys.executable, "-m", "langsplit.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "docs.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs),
                                        encoding="utf-8")
        pd.DataFrame(docs).to_parquet(tmp / "docs.parquet", index=False)
        cli = timed(exe + ["clean", "--jsonl", str(tmp / "docs.jsonl"), "-o", str(tmp / "cli"), "-q",
                           "-j", str(args.cores), "--format", "text"])
        spark = timed(exe + ["spark-clean", str(tmp / "docs.parquet"), str(tmp / "spark"), "--no-spans",
                             "--master", f"local[{args.cores}]"])
        by_cli = {r["id"]: r["clean"] for r in map(json.loads, (tmp / "cli" / "docs.jsonl").read_text(
            encoding="utf-8").splitlines())}
        by_spark = dict(pd.read_parquet(tmp / "spark")[["id", "clean"]].itertuples(index=False))
        same = by_cli == by_spark
    load = os.getloadavg()[0]
    print(f"{len(docs)} documents, {mb:.1f} MB, {args.cores} cores (load average {load:.1f})")
    print("| run | seconds | docs/s | MB/s |\n|---|---|---|---|")
    for name, sec in ((f"langsplit clean --jsonl -j {args.cores}", cli),
                      (f"langsplit spark-clean --master local[{args.cores}]", spark)):
        print(f"| {name} | {sec:.1f} | {len(docs) / sec:.0f} | {mb / sec:.2f} |")
    print(f"same clean text for every document: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
