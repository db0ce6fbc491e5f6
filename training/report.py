"""The dev protocol: score a model on pages of templates, locales and articles it never saw.

    python -m training.report                      # the packaged model
    python -m training.report --model my-model/    # another model folder
    python -m training.report --json               # for machines

The dev sets are rebuilt by training/corpus.py with the same seed the
trainer uses, so the figures are those of the model card:

- dev_family: held-out template families (corpus.DEV_FAMILIES), training locales;
- dev_locale: training families in held-out reader locales (corpus.DEV_LOCALES);
- dev_article: training families and locales;
all three on held-out articles only.  Each is broken down by the thing it
holds out, with per-class precision/recall/F1, the confusion matrix and
body-token precision/recall/F1.  The seed pages are scored too when
../shared/seeds is beside the checkout.

    python -m training.report --pages cleaneval.jsonl.gz   # also real whole pages

--pages scores pages of real web sites with coarse gold (body / not body),
e.g. CleanEval as built by training/data/pages/build_pages.py.  That data
has no licence for redistribution, so it is built locally, never committed
and never trained on: it only measures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from langsplit.evaluate import Scorer, format_report
from langsplit.splitter import Splitter

from . import corpus

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds" / "gold.jsonl"

# What each dev set is broken down by: the thing it holds out.
BREAKDOWN = {"dev_family": "family", "dev_locale": "locale", "dev_article": "lang"}
BREAKDOWN_NAME = {"family": "template family", "locale": "reader locale", "lang": "article language"}


def score(splitter: Splitter, pages: list[dict], by: str | None = None) -> tuple[dict, dict]:
    """Overall report, and one report per value of page[by] when by is given."""
    spans = splitter.classify_many([p["text"] for p in pages])
    total = Scorer()
    parts: dict[str, Scorer] = defaultdict(Scorer)
    for p, s in zip(pages, spans):
        total.add(p, s)
        if by:
            parts[str(p.get(by))].add(p, s)
    return total.report(), {k: v.report() for k, v in sorted(parts.items())}


def load_seeds() -> list[dict]:
    if not SEEDS.exists():
        return []
    return [json.loads(line) for line in SEEDS.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(splitter: Splitter, dev_sets: dict[str, list[dict]]) -> tuple[dict, dict]:
    """Reports of every dev set (and the seeds), and their breakdowns."""
    reports, by_group = {}, {}
    for name, pages in dev_sets.items():
        reports[name], by_group[name] = score(splitter, pages, by=BREAKDOWN.get(name))
    seeds = load_seeds()
    if seeds:
        reports["seeds"], _ = score(splitter, seeds)
    return reports, by_group


HEADER = ("| set | pages | body P/R/F1 | chrome P/R/F1 | teaser P/R/F1 | macro-F1 | body-token P/R/F1 |\n"
          "|---|---|---|---|---|---|---|")


def _prf(m: dict) -> str:
    return f"{m['precision']:.3f}/{m['recall']:.3f}/{m['f1']:.3f}"


def row(name: str, rep: dict) -> str:
    pc = rep["per_class"]
    if not rep["fine_pages"]:  # coarse gold: only body against the rest is known
        return f"| {name} | {rep['pages']} | - | - | - | - | {_prf(rep['body_token'])} |"
    return (f"| {name} | {rep['pages']} | {_prf(pc['body'])} | {_prf(pc['chrome'])} | {_prf(pc['teaser'])} | "
            f"{rep['macro_f1']:.3f} | {_prf(rep['body_token'])} |")


def tables(reports: dict, by_group: dict) -> str:
    """Markdown tables: one row per set, then one table per breakdown."""
    out = [HEADER] + [row(name, rep) for name, rep in reports.items()]
    for name, groups in by_group.items():
        out += ["", f"### {name} by {BREAKDOWN_NAME[BREAKDOWN[name]]}", "", HEADER]
        out += [row(g, rep) for g, rep in groups.items()]
    for name, rep in reports.items():
        out += ["", f"### {name}: confusion matrix and token scores", "", "```", format_report(rep), "```"]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: the packaged model)")
    ap.add_argument("--dev-pages", type=int, default=500, help="pages per dev set (the trainer uses 500)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    ap.add_argument("--pages", type=Path, action="append", default=[], metavar="FILE",
                    help="also score these gold pages (JSONL, .gz allowed), e.g. real whole pages with coarse labels")
    args = ap.parse_args(argv)
    t0 = time.time()
    splitter = Splitter.load(args.model)
    sets = corpus.build(0, args.dev_pages, seed=args.seed, with_train=False)
    reports, by_group = evaluate(splitter, sets)
    for path in args.pages:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            pages = [json.loads(line) for line in fh if line.strip()]
        reports[path.name.split(".")[0]], _ = score(splitter, pages)
    if args.json:
        print(json.dumps({"sets": reports, "breakdowns": by_group}, indent=1))
    else:
        print(tables(reports, by_group))
        print(f"\n({time.time() - t0:.0f}s; reproduce: python -m training.report"
              + (f" --model {args.model}" if args.model else "")
              + "".join(f" --pages {p}" for p in args.pages) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
