"""Teach a model a new template from a few hand-labelled pages, in seconds.

>>> pages = read_labelled(["page1.tsv", "page2.tsv", "page3.tsv"])   # doctest: +SKIP
>>> result = retrain(pages, "mymodel/")                               # doctest: +SKIP
>>> print(result.format())                                            # doctest: +SKIP
>>> Splitter.load("mymodel/").clean(text)                             # doctest: +SKIP

The base model's files are copied unchanged; what the pages teach goes into
a template memory (``langsplit.memory``) beside them, merged with the base
model's own memory if it has one.  The base model therefore keeps its
figures on everything the memory does not recognise, and a template is
learned from the furniture lines of one to three pages.

The result reports the figures a person needs to trust the new model: on the
added pages, each scored by a memory of the *other* pages (leave-one-out, an
honest estimate for the template's next page); and on the base model's dev
sample (``dev-pages.jsonl.gz``, generated pages of templates, locales and
articles the base model never saw), before and after, so that a regression
elsewhere shows at once.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .annotate import AnnotationError, read_tsv_file
from .evaluate import Scorer
from .io import InputError, iter_jsonl
from .memory import MEMORY_FILE, TemplateMemory
from .model import CLASSIFIER_FILE, METADATA_FILE, TEXTMODEL_FILE, file_digests
from .segment import split_lines
from .splitter import Splitter, packaged_model_path
from .textmodel import LABELS

DEV_SAMPLE_FILE = "dev-pages.jsonl.gz"
CARD_FILE = "MODEL_CARD.md"


def read_labelled(paths: Iterable[str | Path]) -> list[dict]:
    """Labelled pages from annotation files: ``.tsv`` (``langsplit label --tsv``) or gold ``.jsonl``.

    Raises ``AnnotationError`` naming the file (and row) of the first problem.
    """
    pages: list[dict] = []
    for path in paths:
        path = Path(path)
        if path.suffix.lower() in (".jsonl", ".json"):
            pages += _read_gold(path)
        else:
            pages.append(read_tsv_file(path))
    return pages


def _read_gold(path: Path) -> list[dict]:
    pages = []
    try:
        records = list(iter_jsonl(path))
    except InputError as exc:
        raise AnnotationError(f"{exc.name}: {exc.reason}") from None
    for rec in records:
        if isinstance(rec, InputError):
            raise AnnotationError(f"{rec.name}: {rec.reason}")
        data = rec.data
        lines = data.get("lines")
        if not isinstance(lines, list) or not all(isinstance(g, dict) and {"start", "end", "label"} <= g.keys()
                                                  for g in lines):
            raise AnnotationError(f"{path}:{rec.line}: no 'lines' list of {{start, end, label}}")
        bad = {g["label"] for g in lines} - set(LABELS)
        if bad:
            raise AnnotationError(f"{path}:{rec.line}: unknown label(s) {sorted(bad)}")
        if data.get("coarse"):
            raise AnnotationError(f"{path}:{rec.line}: coarse labels (body vs rest) cannot teach chrome from teaser")
        pages.append({**data, "id": data.get("id", f"{path}:{rec.line}")})
    return pages


def page_line_labels(page: dict) -> tuple[list[str], list[str]]:
    """The non-blank lines of a labelled page and their labels (the label of the gold line each starts in)."""
    from .train import line_labels

    lines = split_lines(page["text"])
    try:
        labels = line_labels(page, lines)
    except ValueError as exc:
        raise AnnotationError(str(exc)) from None
    return [l.text for l in lines], labels


def read_dev_sample(folder: str | Path) -> list[dict]:
    """The dev pages stored in a model folder ([] when it has none)."""
    path = Path(folder) / DEV_SAMPLE_FILE
    if not path.is_file():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _scores(splitter: Splitter, pages: Sequence[dict]) -> dict:
    scorer = Scorer()
    for page, spans in zip(pages, splitter.classify_many([p["text"] for p in pages])):
        scorer.add(page, spans)
    return scorer.report()


@dataclass
class RetrainResult:
    """What ``retrain`` learned and how the model scores before and after."""

    folder: Path
    pages: int
    lines: int
    labels: dict[str, int]  # lines per label in the added pages
    remembered: dict[str, int]  # lines the memory took in, per label
    memory_size: int
    added_before: dict  # Scorer reports on the added pages: base model
    added_loo: dict | None  # each page with a memory of the others (None for one page)
    added_fit: dict  # every page with the full memory (they taught it: not an estimate)
    dev_before: dict | None = None
    dev_after: dict | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        """A short human-readable account, as ``langsplit train --add`` prints it."""
        def fig(rep: dict) -> str:
            pc = rep["per_class"]
            return (f"macro-F1 {rep['macro_f1']:.3f}  body {pc['body']['f1']:.3f}  chrome {pc['chrome']['f1']:.3f}"
                    f"  teaser {pc['teaser']['f1']:.3f}  body-token F1 {rep['body_token']['f1']:.3f}")

        counts = ", ".join(f"{lab} {n}" for lab, n in self.labels.items())
        kept = ", ".join(f"{lab} {n}" for lab, n in self.remembered.items())
        out = [f"learned from {self.pages} page(s), {self.lines} lines ({counts})",
               f"remembered {sum(self.remembered.values())} lines ({kept}); the memory holds {self.memory_size}",
               "added pages:",
               f"  base model          {fig(self.added_before)}"]
        if self.added_loo is not None:
            out.append(f"  new, leave-one-out  {fig(self.added_loo)}")
        out.append(f"  new, as taught      {fig(self.added_fit)}  (pages it learned from)")
        if self.dev_before is not None and self.dev_after is not None:
            drop = self.dev_after["macro_f1"] - self.dev_before["macro_f1"]
            out += [f"base dev sample ({self.dev_before['pages']} held-out pages):",
                    f"  base model          {fig(self.dev_before)}",
                    f"  new model           {fig(self.dev_after)}  (macro-F1 {drop:+.3f})"]
        out += self.notes
        out.append(f"wrote {self.folder} in {self.seconds:.1f} s")
        return "\n".join(out)


def _with_memory(splitter: Splitter, memory: TemplateMemory | None) -> Splitter:
    return splitter._derived(dataclasses.replace(splitter.model, memory=memory), splitter.repeated)


def _memory_of(base: TemplateMemory | None, taught: Sequence[tuple[list[str], list[str], list[str]]]) -> TemplateMemory:
    memory = TemplateMemory()
    if base is not None:
        memory.merge(base)
    for lines, labels, predicted in taught:
        memory.add_page(lines, labels, predicted)
    return memory


def retrain(pages: Sequence[dict], out_dir: str | Path, base: str | Path | None = None,
            *, evaluate_dev: bool = True) -> RetrainResult:
    """Write a model folder at ``out_dir``: the ``base`` model (default: the packaged one) plus
    what the labelled ``pages`` (gold format, see ``read_labelled``) teach.

    Deterministic: the same pages and base give the same folder.  ``out_dir`` may be an existing
    model folder (it is replaced as a whole), but not the packaged model.
    """
    t0 = time.perf_counter()
    if not pages:
        raise ValueError("no labelled pages to learn from")
    base_folder = packaged_model_path() if base is None else Path(base)
    out = Path(out_dir)
    if out.resolve() == packaged_model_path().resolve():
        raise ValueError(f"{out}: will not write over the packaged model; choose another folder")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / METADATA_FILE).is_file())):
        raise ValueError(f"{out}: exists and is not a langsplit model folder; choose another folder")

    splitter = Splitter.load(base_folder)
    base_memory = splitter.model.memory
    taught = []
    for page in pages:
        lines, labels = page_line_labels(page)
        taught.append((lines, labels))
    bare = _with_memory(splitter, base_memory)
    predicted_spans = bare.classify_many([p["text"] for p in pages])
    taught3 = [(lines, labels, [s.label for s in spans]) for (lines, labels), spans in zip(taught, predicted_spans)]

    memory = TemplateMemory()
    if base_memory is not None:
        memory.merge(base_memory)
    remembered = Counter({lab: 0 for lab in LABELS})
    for lines, labels, predicted in taught3:
        remembered.update(memory.add_page(lines, labels, predicted))
    new = _with_memory(splitter, memory)

    before = Scorer()
    for page, spans in zip(pages, predicted_spans):
        before.add(page, spans)
    loo = None
    if len(pages) > 1:
        loo_scorer = Scorer()
        for i, page in enumerate(pages):
            others = [t for j, t in enumerate(taught3) if j != i]
            spans = _with_memory(splitter, _memory_of(base_memory, others)).classify(page["text"])
            loo_scorer.add(page, spans)
        loo = loo_scorer.report()
    fit = _scores(new, pages)

    dev = read_dev_sample(base_folder) if evaluate_dev else []
    notes = []
    dev_before = dev_after = None
    if dev:
        dev_before, dev_after = _scores(bare, dev), _scores(new, dev)
    elif evaluate_dev:
        notes.append(f"(no {DEV_SAMPLE_FILE} in {base_folder}: no dev figures)")

    label_counts = Counter(lab for _, labels in taught for lab in labels)
    result = RetrainResult(
        folder=out, pages=len(pages), lines=sum(label_counts.values()),
        labels={lab: label_counts.get(lab, 0) for lab in LABELS}, remembered=dict(remembered),
        memory_size=len(memory), added_before=before.report(), added_loo=loo, added_fit=fit,
        dev_before=dev_before, dev_after=dev_after, notes=notes)
    _write_folder(base_folder, out, memory, result, [p.get("id", "?") for p in pages])
    result.seconds = time.perf_counter() - t0
    return result


def _write_folder(base: Path, out: Path, memory: TemplateMemory, result: RetrainResult, page_ids: list) -> None:
    """Copy the base model's files, add the memory and new metadata; replace ``out`` in one rename."""
    tmp = out.with_name(f".{out.name}.tmp-retrain")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        for name in (TEXTMODEL_FILE, CLASSIFIER_FILE, DEV_SAMPLE_FILE):
            if (base / name).is_file():
                shutil.copyfile(base / name, tmp / name)
        (tmp / MEMORY_FILE).write_text(memory.to_json(), encoding="utf-8")
        meta = json.loads((base / METADATA_FILE).read_text(encoding="utf-8"))
        meta.setdefault("adaptations", []).append({
            "pages": page_ids[:50],
            "lines": result.labels,
            "remembered": result.remembered,
            "date": time.strftime("%Y-%m-%d"),
        })
        meta["memory_lines"] = len(memory)
        meta["files"] = file_digests(tmp)
        (tmp / METADATA_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        card = (base / CARD_FILE).read_text(encoding="utf-8") if (base / CARD_FILE).is_file() else ""
        result.folder = out
        card += ("\n\n## Adapted with `langsplit train --add`\n\n```\n" + result.format().rsplit("\nwrote", 1)[0]
                 + "\n```\n")
        (tmp / CARD_FILE).write_text(card, encoding="utf-8")
        old = out.with_name(f".{out.name}.old-retrain")
        if out.exists():
            if old.exists():
                shutil.rmtree(old)
            out.rename(old)
        tmp.rename(out)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
