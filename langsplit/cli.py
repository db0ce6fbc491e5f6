"""The `langsplit` command: a thin layer over the library (langsplit.batch, .io, .evaluate)."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from typing import BinaryIO

import click

from . import LABELS, ModelError, Splitter, __version__
from .annotate import write_tsv
from .annotate import AnnotationError
from .batch import DEFAULT_MAX_BYTES, CleanOptions, UsageError, WorkerError, default_jobs, discover, plan, run
from .repetition import DEFAULT_MIN_DOCS
from .evaluate import evaluate_files, format_report
from .formats import FORMATS, span_line
from .io import InputError, check_encoding, read_text

# Colours of labels on a terminal.
_COLOURS = {"body": "green", "chrome": "red", "teaser": "yellow"}


def _load(model: str | None) -> Splitter:
    try:
        return Splitter.load(model)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None


def _stdout_bytes() -> BinaryIO:
    # Outputs are UTF-8 bytes whatever the terminal's locale says.
    sys.stdout.flush()
    return sys.stdout.buffer


def _say(message: str) -> None:
    click.echo(f"langsplit: {message}", err=True)


class _Size(click.ParamType):
    """A byte count such as 500000, 500k, 10M or 1G (powers of 1000); 0 means no limit."""

    name = "SIZE"
    _UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)[bB]?\s*", str(value))
        if not m:
            self.fail(f"{value!r} is not a size like 500000, 500k or 10M", param, ctx)
        return int(m.group(1)) * self._UNITS[m.group(2).lower()]


def _check_encoding(ctx, param, value: str | None) -> str | None:
    if value is not None:
        try:
            check_encoding(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
    return value


def _check_keep(ctx, param, value: str) -> tuple[str, ...]:
    kept = tuple(k.strip() for k in value.split(",") if k.strip())
    if not kept or set(kept) - set(LABELS):
        raise click.BadParameter(f"choose from {', '.join(LABELS)}")
    return kept


_model_option = click.option(
    "--model", "model", type=click.Path(exists=True, file_okay=False), default=None,
    help="Model folder to use instead of the packaged model.",
)
_encoding_option = click.option(
    "--encoding", default=None, callback=_check_encoding, metavar="NAME",
    help="Encoding of inputs without a BOM (default UTF-8; UTF-8/16/32 BOMs are always honoured).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="langsplit")
def main() -> None:
    """Split text copied from news aggregators and news sites into the article
    (body), site or aggregator furniture (chrome) and other articles (teaser).

    \b
    Examples:
      langsplit clean page.txt            print the article of page.txt
      cat page.txt | langsplit clean -    the same from stdin
      langsplit clean corpus/ -o clean/   clean a folder tree into clean/ (resumable)
      langsplit clean corpus/ --glob '*.txt' --format jsonl > out.jsonl
      langsplit clean --jsonl pages.jsonl -o clean/   records in, records out
      langsplit label page.txt            show every line with its label
      langsplit eval gold.jsonl           scores on labelled pages
      langsplit discover corpus/          lines that repeat across documents (templates)
      langsplit label page.txt --tsv > page.tsv         annotate a page by hand, then
      langsplit train --add p1.tsv p2.tsv -o mymodel/   teach the model its template
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output-dir", "outdir", type=click.Path(file_okay=False), default=None, metavar="OUTDIR",
              help="Write outputs here, mirroring the input tree (needed for several text outputs).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="text: the clean article; jsonl: a record with the clean text and the spans; "
                   "spans: every line labelled. [default: text, or jsonl with --jsonl]")
@click.option("--keep", default="body", show_default=True, callback=_check_keep,
              help="Comma-separated labels to keep: body, chrome, teaser.")
@click.option("--glob", "pattern", default=None, metavar="PATTERN",
              help="Only files of folders matching this, e.g. '*.txt' (on the path if it holds a /).")
@click.option("--jsonl", is_flag=True, help="Inputs are JSONL files of records; output is JSONL, "
                                            "every input field kept, plus clean (and spans).")
@click.option("--text-field", default="text", show_default=True, help="With --jsonl: the field to clean.")
@click.option("--id-field", default="id", show_default=True, help="With --jsonl: the field naming a record in messages.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes. [default: the number of CPUs]")
@_encoding_option
@click.option("--max-bytes", type=_Size(), default=f"{DEFAULT_MAX_BYTES // 10**6}M", show_default=True,
              help="Skip (and report) inputs or records larger than this; 0: no limit.")
@click.option("--force", is_flag=True, help="Redo outputs that are already up to date.")
@click.option("--batch-stats", is_flag=True,
              help="Read the inputs twice: first count the lines that repeat across documents about "
                   "different articles, then never keep such a line as body (catches furniture the model "
                   "alone takes for article text).")
@click.option("--min-docs", type=click.IntRange(min=2), default=DEFAULT_MIN_DOCS, show_default=True,
              help="With --batch-stats: how many documents a line must occur in to count as repeated.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary; errors are still reported.")
@click.option("--chunk-docs", type=click.IntRange(min=1), default=None, hidden=True)
@_model_option
def clean(paths: tuple[str, ...], outdir: str | None, fmt: str | None, keep: tuple[str, ...],
          pattern: str | None, jsonl: bool, text_field: str, id_field: str, jobs: int | None,
          encoding: str | None, max_bytes: int, force: bool, batch_stats: bool, min_docs: int, quiet: bool,
          chunk_docs: int | None, model: str | None) -> None:
    """Clean files, folders (recursively) or stdin (-).

    One input and no -o: the result goes to stdout. With -o OUTDIR, outputs mirror the input
    tree (text: same name; jsonl: NAME.jsonl; spans: NAME.spans), are written atomically, and a
    re-run skips outputs not older than their input, so an interrupted run resumes. Inputs are
    never written over. Broken inputs (binary, undecodable, unreadable, too large) are reported
    and skipped.

    With --batch-stats the outputs depend on the whole batch: when the batch changes, re-run
    with --force.

    Exit code: 0 all cleaned, 1 some inputs failed, 2 usage error.
    """
    extra = {"chunk_docs": chunk_docs} if chunk_docs else {}
    try:
        options = CleanOptions(
            format=fmt or ("jsonl" if jsonl else "text"), keep=keep, jsonl=jsonl, text_field=text_field,
            id_field=id_field, glob=pattern, encoding=encoding, max_bytes=max_bytes or None,
            force=force, jobs=jobs or default_jobs(), model=model, batch_stats=batch_stats,
            min_docs=min_docs, **extra)
        tasks = plan(paths, outdir, options)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    # A single page to stdout is the quick interactive use: no bar, no summary, as before.
    single = outdir is None and len(tasks) == 1 and not jsonl
    try:
        summary = run(tasks, options, _stdout_bytes(), report=_say,
                      progress=not quiet and not single and sys.stderr.isatty())
    except (ModelError, WorkerError) as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet and not single:
        _say(summary.format())
    sys.exit(summary.exit_code)


@main.command()
@click.argument("source", metavar="FILE|-")
@click.option("--color/--no-color", default=None, help="Colour the labels (default: when on a terminal).")
@click.option("--tsv", is_flag=True,
              help="Write label<TAB>text rows to correct by hand (for evaluation or retraining).")
@_encoding_option
@_model_option
def label(source: str, color: bool | None, tsv: bool, encoding: str | None, model: str | None) -> None:
    """Print each line of FILE with its label, score and language.

    With --tsv, print one label<TAB>text row per line instead, pre-filled by the
    model, for a person to correct: langsplit label page.txt --tsv > page.tsv
    """
    try:
        text = read_text(source, encoding=encoding)
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    splitter = _load(model)
    if tsv:
        click.echo(write_tsv(text, splitter.classify(text), None if source == "-" else source), nl=False)
        return

    def style(tag: str, lab: str) -> str:
        return click.style(tag, fg=_COLOURS[lab], bold=lab == "body")

    spans = splitter.classify(text)
    for s in spans:
        click.echo(span_line(text, s, style), color=color)


@main.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="GOLD.jsonl...")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@_model_option
def evaluate(gold: tuple[str, ...], as_json: bool, model: str | None) -> None:
    """Score the model on labelled pages (the format of the seeds' gold.jsonl).

    Prints per-class precision/recall/F1 and macro-F1 (pages with fine labels), body-line F1,
    body-token precision/recall/F1 and the speed in docs/s. Broken records are reported and left
    out (exit code 1).
    """
    splitter = _load(model)
    errors: list[InputError] = []

    def on_error(exc: InputError) -> None:
        errors.append(exc)
        _say(f"{exc.name}: {exc.reason} (skipped)")

    rep = evaluate_files(gold, splitter, on_error=on_error)
    if as_json:
        click.echo(json.dumps(rep, indent=2))
    else:
        click.echo(format_report(rep))
    if errors:
        sys.exit(1)


@main.command("discover")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--min-docs", type=click.IntRange(min=2), default=DEFAULT_MIN_DOCS, show_default=True,
              help="List lines that occur in at least this many documents.")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True, help="How many lines to list.")
@click.option("--glob", "pattern", default=None, metavar="PATTERN", help="Only files of folders matching this.")
@click.option("--jsonl", is_flag=True, help="Inputs are JSONL files of records.")
@click.option("--text-field", default="text", show_default=True, help="With --jsonl: the field holding the text.")
@_encoding_option
@click.option("--max-bytes", type=_Size(), default=f"{DEFAULT_MAX_BYTES // 10**6}M", show_default=True,
              help="Pass over inputs or records larger than this; 0: no limit.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@_model_option
def discover_cmd(paths: tuple[str, ...], min_docs: int, top: int, pattern: str | None, jsonl: bool,
                 text_field: str, encoding: str | None, max_bytes: int, as_json: bool, quiet: bool,
                 model: str | None) -> None:
    """List the lines that repeat across the documents of a batch (files, folders or JSONL).

    Lines are compared with case, spacing, punctuation, numbers and month/day names folded.
    Each row gives the number of documents holding the line, how many different articles
    those documents are about (capped at 32), the label the model gives the line, and the line.
    A repeated line labelled body is furniture the model misses: annotate a page that holds
    it (langsplit label PAGE --tsv) and teach the model (langsplit train --add), or clean
    with --batch-stats.
    """
    if "-" in paths:
        raise click.UsageError("discover reads its inputs twice; stdin (-) cannot be; save it to a file first")
    try:
        options = CleanOptions(jsonl=jsonl, text_field=text_field, glob=pattern, encoding=encoding,
                               max_bytes=max_bytes or None, model=model, min_docs=min_docs)
        tasks = plan(paths, None, dataclasses.replace(options, format="jsonl"))
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    splitter = _load(model)
    counter, found = discover(tasks, options, splitter, top=top, progress=not quiet and sys.stderr.isatty())
    if as_json:
        for d in found:
            click.echo(json.dumps({"docs": d.line.docs, "articles": d.line.articles, "label": d.label,
                                   "labels": d.labels, "key": d.line.key, "example": d.line.example},
                                  ensure_ascii=False))
        return
    click.echo(f"{counter.documents} documents; {len(found)} lines in at least {min_docs} of them "
               f"(most frequent first)")
    click.echo(f"{'docs':>7} {'share':>6} {'articles':>8}  {'label':<7} line")
    for d in found:
        share = d.line.docs / max(counter.documents, 1)
        click.echo(f"{d.line.docs:>7} {share:>6.1%} {d.line.articles:>8}  {d.label:<7} {d.line.example[:100]}")


@main.command("train")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--add", "add", is_flag=True, required=True,
              help="Add hand-labelled pages (.tsv from 'langsplit label --tsv', or gold .jsonl) to a model.")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False), required=True, metavar="DIR",
              help="Model folder to write (use it with --model DIR or Splitter.load(DIR)).")
@click.option("--base", type=click.Path(exists=True, file_okay=False), default=None, metavar="DIR",
              help="Model to start from. [default: the packaged model]")
def train_cmd(files: tuple[str, ...], add: bool, out: str, base: str | None) -> None:
    """Teach a model a template from a few hand-labelled pages, in seconds.

    \b
      langsplit label page1.txt --tsv > page1.tsv     (correct the labels in an editor)
      langsplit train --add page1.tsv page2.tsv page3.tsv -o mymodel/
      langsplit clean --model mymodel/ corpus/ -o clean/

    The furniture lines of the pages (and body lines the model missed) are remembered and
    recognised on new pages, with numbers, dates and small wording changes folded; the base
    model is copied unchanged. Prints what was learned and the scores before and after, on the
    added pages (each scored by what the others taught: leave-one-out) and on the base
    model's held-out dev pages. To retrain the whole model on a corpus: python -m training.train
    """
    from .adapt import read_labelled, retrain

    try:
        pages = read_labelled(files)
    except (AnnotationError, InputError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        result = retrain(pages, out, base)
    except (AnnotationError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(result.format())


@main.command("spark-clean")
@click.argument("source", metavar="IN")
@click.argument("dest", metavar="OUT")
@click.option("--text-field", default="text", show_default=True, help="The column holding the text.")
@click.option("--input-format", "fmt", type=click.Choice(["parquet", "jsonl"]), default="parquet",
              show_default=True, help="What IN holds (a file or a folder of files).")
@click.option("--output-format", "out_fmt", type=click.Choice(["parquet", "jsonl"]), default=None,
              help="What to write to OUT. [default: as the input]")
@click.option("--keep", default="body", show_default=True, callback=_check_keep,
              help="Comma-separated labels to keep: body, chrome, teaser.")
@click.option("--no-spans", is_flag=True, help="Write the clean text only, not the spans.")
@click.option("--master", default=None, metavar="URL",
              help="Spark master, e.g. local[4] [default: what spark-submit or the environment sets, else local[*]]")
@_model_option
def spark_clean(source: str, dest: str, text_field: str, fmt: str, out_fmt: str | None, keep: tuple[str, ...],
                no_spans: bool, master: str | None, model: str | None) -> None:
    """Clean a Parquet or JSONL data set with Apache Spark (pip install 'langsplit[spark]').

    Every row keeps its columns and gains clean, spans (label, start, end, score, lang,
    lang_score) and langsplit_error (null when fine). OUT must not exist. Runs as given by
    spark-submit, or in local mode on this machine:

    \b
      langsplit spark-clean pages.parquet clean.parquet --master 'local[2]'
      spark-submit --py-files langsplit.zip $(which langsplit) spark-clean hdfs:///in hdfs:///out
    """
    try:
        from pyspark.sql import SparkSession

        from .spark import clean_files
    except ImportError as exc:
        raise click.ClickException(f"Spark is not installed ({exc}); pip install 'langsplit[spark]'") from None
    builder = SparkSession.builder.appName("langsplit")
    if master:
        builder = builder.master(master)
    spark = builder.getOrCreate()
    try:
        rows = clean_files(spark, source, dest, text_field, fmt=fmt, out_fmt=out_fmt, model=model, keep=keep,
                           with_spans=not no_spans)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        spark.stop()
    _say(f"cleaned {rows} rows into {dest}")


if __name__ == "__main__":  # pragma: no cover
    main()
