"""Scores of predicted spans against gold pages (the format of the seeds' gold.jsonl).

- per-line precision/recall/F1 of each label and their macro average (pages
  whose labels are fine, not ``coarse``);
- body-line F1: body against everything else, on every page;
- body-token precision/recall/F1: lower-cased ``\\w+`` tokens of the lines
  kept as body against those of the gold body lines, as multisets, summed
  over pages.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .io import InputError, iter_jsonl
from .splitter import Span, Splitter
from .textmodel import LABELS

_TOKEN = re.compile(r"\w+")


def gold_line_predictions(page: dict, spans: Sequence[Span]) -> list[str]:
    """The predicted label of each gold line: the label covering most of its characters."""
    out = []
    spans = sorted(spans, key=lambda s: s.start)
    j = 0
    for g in page["lines"]:
        while j < len(spans) and spans[j].end <= g["start"]:
            j += 1
        votes: Counter = Counter()
        k = j
        while k < len(spans) and spans[k].start < g["end"]:
            s = spans[k]
            votes[s.label] += min(s.end, g["end"]) - max(s.start, g["start"])
            k += 1
        out.append(votes.most_common(1)[0][0] if votes else "chrome")
    return out


def _prf(tp: float, fp: float, fn: float) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": int(tp + fn)}


class Scorer:
    """Accumulates gold/predicted lines over pages and reports the project's scores."""

    def __init__(self) -> None:
        self.confusion: Counter = Counter()  # (gold, predicted) over fine pages
        self.body_lines = Counter()  # tp/fp/fn of body vs rest over all pages
        self.tokens = Counter()  # tp/fp/fn of body tokens
        self.pages = 0
        self.fine_pages = 0

    def add(self, page: dict, spans: Sequence[Span]) -> None:
        text = page["text"]
        pred = gold_line_predictions(page, spans)
        gold = [g["label"] for g in page["lines"]]
        fine = not page.get("coarse", False)
        self.pages += 1
        self.fine_pages += fine
        gold_tokens: Counter = Counter()
        kept_tokens: Counter = Counter()
        for g, p, line in zip(gold, pred, page["lines"]):
            if fine:
                self.confusion[(g, p)] += 1
            gb, pb = g == "body", p == "body"
            self.body_lines["tp"] += gb and pb
            self.body_lines["fp"] += pb and not gb
            self.body_lines["fn"] += gb and not pb
            if gb or pb:
                toks = _TOKEN.findall(text[line["start"]:line["end"]].lower())
                if gb:
                    gold_tokens.update(toks)
                if pb:
                    kept_tokens.update(toks)
        tp = sum((gold_tokens & kept_tokens).values())
        self.tokens["tp"] += tp
        self.tokens["fp"] += sum(kept_tokens.values()) - tp
        self.tokens["fn"] += sum(gold_tokens.values()) - tp

    def report(self) -> dict:
        per_class = {}
        for lab in LABELS:
            tp = self.confusion[(lab, lab)]
            fp = sum(v for (g, p), v in self.confusion.items() if p == lab and g != lab)
            fn = sum(v for (g, p), v in self.confusion.items() if g == lab and p != lab)
            per_class[lab] = _prf(tp, fp, fn)
        present = [lab for lab in LABELS if per_class[lab]["support"] > 0]
        macro = sum(per_class[lab]["f1"] for lab in present) / len(present) if present else 0.0
        return {
            "pages": self.pages,
            "fine_pages": self.fine_pages,
            "per_class": per_class,
            "macro_f1": macro,
            "body_line": _prf(self.body_lines["tp"], self.body_lines["fp"], self.body_lines["fn"]),
            "body_token": _prf(self.tokens["tp"], self.tokens["fp"], self.tokens["fn"]),
            "confusion": {f"{g}->{p}": v for (g, p), v in sorted(self.confusion.items())},
        }


def format_report(rep: dict) -> str:
    """A plain-text table of a Scorer report."""
    out = [f"pages: {rep['pages']} ({rep['fine_pages']} with fine labels)",
           f"{'label':<8} {'prec':>6} {'recall':>6} {'f1':>6} {'lines':>7}"]
    for lab, m in rep["per_class"].items():
        out.append(f"{lab:<8} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:7d}")
    out.append(f"macro-F1 {rep['macro_f1']:.3f}")
    b, t = rep["body_line"], rep["body_token"]
    out.append(f"body-line   P {b['precision']:.3f} R {b['recall']:.3f} F1 {b['f1']:.3f}")
    out.append(f"body-token  P {t['precision']:.3f} R {t['recall']:.3f} F1 {t['f1']:.3f}")
    if "docs_per_s" in rep:
        out.append(f"speed       {rep['docs_per_s']:.1f} docs/s ({rep['seconds']:.2f} s of classification)")
    labs = list(LABELS)
    out.append("confusion (rows gold, columns predicted): " + " ".join(f"{l:>7}" for l in labs))
    for g in labs:
        out.append(f"  {g:<8}" + " ".join(f"{rep['confusion'].get(f'{g}->{p}', 0):>7}" for p in labs))
    return "\n".join(out)


def _check_gold(rec_data: dict, where: str) -> dict:
    lines = rec_data.get("lines")
    if not isinstance(lines, list) or not all(
            isinstance(g, dict) and {"start", "end", "label"} <= g.keys() for g in lines):
        raise InputError(where, "no 'lines' list of {start, end, label} (see the seeds' README for the format)")
    bad = {g["label"] for g in lines} - set(LABELS)
    if bad:
        raise InputError(where, f"unknown label(s) {sorted(bad)}")
    return rec_data


def evaluate_files(paths: Iterable[str | Path], splitter: Splitter, batch: int = 32,
                   on_error: Callable[[InputError], None] | None = None) -> dict:
    """Score ``splitter`` on gold JSONL files (the seeds' format), streaming them in batches.

    Returns ``Scorer.report()`` plus ``seconds`` (time spent classifying) and ``docs_per_s``.
    Broken records or files go to ``on_error`` (default: raise) and are left out.
    """
    def error(exc: InputError) -> None:
        if on_error is None:
            raise exc
        on_error(exc)

    scorer = Scorer()
    seconds = 0.0
    pages: list[dict] = []

    def flush() -> None:
        nonlocal seconds
        t0 = time.perf_counter()
        predicted = splitter.classify_many([p["text"] for p in pages])
        seconds += time.perf_counter() - t0
        for page, spans in zip(pages, predicted):
            scorer.add(page, spans)
        pages.clear()

    for path in paths:
        try:
            for rec in iter_jsonl(path):
                if isinstance(rec, InputError):
                    error(rec)
                    continue
                try:
                    pages.append(_check_gold(rec.data, f"{path}:{rec.line}"))
                except InputError as exc:
                    error(exc)
                if len(pages) >= batch:
                    flush()
        except InputError as exc:
            error(exc)
    if pages:
        flush()
    rep = scorer.report()
    rep["seconds"] = seconds
    rep["docs_per_s"] = scorer.pages / seconds if seconds > 0 else 0.0
    return rep
