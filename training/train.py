"""Rebuild the packaged model from what is committed.

    python -m training.train                 # corpus -> model -> dev report -> model card
    python -m training.train --quick         # a small corpus, for trying changes

Steps: build the synthetic corpus (training/corpus.py) with its splits;
fit on the training pages; score the dev sets (unseen template families,
unseen reader locales, unseen articles) and the seed pages; write the model
folder into the package (langsplit/models/default) and the model card
(models/MODEL_CARD.md, copied beside the model).  Deterministic.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import time
from pathlib import Path

# Busy-waiting OpenMP threads (scikit-learn's boosting) slow everything down 3-4x when
# another job shares the cores (classification of 200 pages with 2 threads beside a busy
# job: 22.9 s spinning, 6.2 s passive, 7.2 s on one thread). libgomp reads this once,
# when scikit-learn first loads, so it must be set before the imports below.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from langsplit.evaluate import format_report
from langsplit.splitter import Splitter, packaged_model_path
from langsplit.train import fit

from . import corpus, report

ROOT = Path(__file__).resolve().parent.parent


DEV_SAMPLE_PER_SET = 100


def write_dev_sample(sets: dict[str, list[dict]], folder: Path, per_set: int = DEV_SAMPLE_PER_SET) -> Path:
    """Store some dev pages in the model folder, for `langsplit train --add` to report on.

    An installed package has no corpus builder; with these pages a retrained
    model can still be checked against templates, locales and articles the
    base model never saw.
    """
    keep = ("id", "text", "lines", "coarse", "family", "locale", "lang")
    path = folder / "dev-pages.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for name, pages in sets.items():
            for page in pages[:per_set]:
                fh.write(json.dumps({**{k: page[k] for k in keep if k in page}, "set": name},
                                    ensure_ascii=False) + "\n")
    return path


def model_card(meta: dict, reports: dict, by_group: dict, command: str) -> str:
    td = meta.get("training_data", {})
    # Changes made to a trained model folder afterwards (metadata "notes"); a retrain has none.
    notes = meta.get("notes", [])
    since = ["## Since training", *(f"- {n}" for n in notes), ""] if notes else []
    lines = [
        "# langsplit model card",
        "",
        f"Model version {meta.get('model_version')}, langsplit {meta.get('langsplit_version')}, "
        f"scikit-learn {meta['versions']['scikit-learn']}, fastText {meta['versions']['fasttext']}.",
        "",
        "## What it is",
        "A line classifier for text copied from news aggregators and news sites. Each non-blank line is",
        "labelled `body` (the article), `chrome` (aggregator/site furniture) or `teaser` (other articles).",
        "Parts: fastText lid.176 language identification (CC BY-SA 3.0, Facebook), a fastText supervised",
        "line-text model on word and character n-grams (`textmodel.ftz`, not quantized), and a two-pass",
        "gradient-boosting classifier over language, layout, repetition, word-overlap and neighbour",
        "features, trained with scikit-learn and stored as numpy arrays (`classifier.joblib`, a",
        "`langsplit.model.PagePredictor`: loading it needs no scikit-learn). joblib files are pickles:",
        "load model folders only from the package or a folder you trust.",
        "",
        "## Training data",
        f"{td.get('pages')} synthetic pages, {td.get('lines')} lines ({td.get('labels')}), plus",
        f"{td.get('extra_text_lines')} furniture strings for the line-text model, built by",
        "`training/corpus.py` from real article prose of openly licensed corpora wrapped in furniture of",
        f"template families in reader locales (see training/SOURCES.md). Families: {meta.get('families')}.",
        f"Reader locales: {meta.get('locales')}. Article languages: {meta.get('article_langs')}.",
        "",
        "## Evaluation",
        "Dev sets are generated from families, locales and articles that training never saw:",
        f"`dev_family` uses held-out families {sorted(corpus.DEV_FAMILIES)}; `dev_locale` uses held-out",
        f"reader locales {sorted(corpus.DEV_LOCALES)}; `dev_article` uses training templates on held-out",
        "articles. All three use only held-out articles (and headlines). `seeds` are the five real pages",
        "in ../shared/seeds, never used in training. Print these tables again with",
        "`python -m training.report`.",
        "",
        report.tables(reports, by_group),
        "",
        f"Reproduce the model: `{command}`",
        "",
        *since,
        "## Limits",
        "- Trained on generated pages: furniture unlike any template family here may be missed.",
        "- Teasers written as full sentences in the article's language are the hardest case.",
        "- Per-line decisions: a line holding both article text and furniture gets one label.",
        "- fastText training is not bit-exact between runs; a retrained model can differ in the last",
        "  digits of its scores (labels in our checks did not change).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=packaged_model_path(), help="model folder to write")
    ap.add_argument("--card", type=Path, default=ROOT / "models" / "MODEL_CARD.md")
    ap.add_argument("--train-pages", type=int, default=8000)
    ap.add_argument("--dev-pages", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="small corpus for a fast try")
    args = ap.parse_args(argv)
    if args.quick:
        args.train_pages, args.dev_pages = 1500, 150
    t0 = time.time()
    sets = corpus.build(args.train_pages, args.dev_pages, seed=args.seed)
    train = sets.pop("train")
    furniture = sets.pop("furniture")
    print(f"[train] corpus: {len(train)} train pages, " +
          ", ".join(f"{k} {len(v)}" for k, v in sets.items()) + f" ({time.time() - t0:.0f}s)", flush=True)
    meta = {
        "model_version": f"{time.strftime('%Y.%m.%d')}",
        "families": sorted({p["family"] for p in train}),
        "locales": sorted({p["locale"] for p in train}),
        "article_langs": sorted({p["lang"] for p in train}),
        "corpus": {"train_pages": len(train), "seed": args.seed},
    }
    tmp = args.out.with_name(args.out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    fit(train, tmp, metadata=meta, extra_lines=furniture)
    splitter = Splitter.load(tmp)

    reports, by_group = report.evaluate(splitter, sets)
    for name, rep in reports.items():
        print(f"\n== {name}\n{format_report(rep)}", flush=True)

    write_dev_sample(sets, tmp)
    meta_path = tmp / "metadata.json"
    full = json.loads(meta_path.read_text(encoding="utf-8"))
    full["evaluation"] = {k: {"macro_f1": round(v["macro_f1"], 4), "body_token_f1": round(v["body_token"]["f1"], 4),
                              "pages": v["pages"]} for k, v in reports.items()}
    meta_path.write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    command = "python -m training.train" + (" --quick" if args.quick else "")
    card = model_card(full, reports, by_group, command)
    (tmp / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    if args.out.exists():
        shutil.rmtree(args.out)
    tmp.rename(args.out)
    args.card.parent.mkdir(parents=True, exist_ok=True)
    args.card.write_text(card, encoding="utf-8")
    print(f"\n[train] model in {args.out}, card in {args.card} ({time.time() - t0:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
