"""The `langsplit` command: a thin layer over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import LABELS, ModelError, Splitter, __version__
from .splitter import join_spans

# Colours of labels on a terminal.
_COLOURS = {"body": "green", "chrome": "red", "teaser": "yellow"}


def _read_text(source: str) -> str:
    """Read a file (or stdin for "-") as UTF-8 text, with a clear error otherwise."""
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise click.ClickException(f"{source}: cannot read ({exc.strerror or exc})") from None
        name = source
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise click.ClickException(f"{name}: looks binary (NUL bytes); langsplit reads text")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            break
    else:
        enc = "utf-8"
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{name}: not valid {enc.upper()} (byte {exc.start}); convert it to UTF-8 first"
        ) from None


def _load(model: str | None) -> Splitter:
    try:
        return Splitter.load(model)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None


_model_option = click.option(
    "--model", "model", type=click.Path(file_okay=False), default=None,
    help="Model folder to use instead of the packaged model.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="langsplit")
def main() -> None:
    """Split text copied from news aggregators and news sites into the article
    (body), site or aggregator furniture (chrome) and other articles (teaser).

    \b
    Examples:
      langsplit clean page.txt            print the article of page.txt
      cat page.txt | langsplit clean -    the same from stdin
      langsplit label page.txt            show every line with its label
    """


@main.command()
@click.argument("source", metavar="FILE|-")
@click.option("--keep", default="body", show_default=True,
              help="Comma-separated labels to keep: body, chrome, teaser.")
@_model_option
def clean(source: str, keep: str, model: str | None) -> None:
    """Print the clean article of FILE (or of stdin with -), one paragraph per line."""
    kept = tuple(k.strip() for k in keep.split(",") if k.strip())
    bad = set(kept) - set(LABELS)
    if bad or not kept:
        raise click.BadParameter(f"choose from {', '.join(LABELS)}", param_hint="--keep")
    text = _read_text(source)
    splitter = _load(model)
    out = join_spans(text, splitter.classify(text), kept)
    click.echo(out)


@main.command()
@click.argument("source", metavar="FILE|-")
@click.option("--color/--no-color", default=None, help="Colour the labels (default: when on a terminal).")
@_model_option
def label(source: str, color: bool | None, model: str | None) -> None:
    """Print each line of FILE with its label, score and language."""
    text = _read_text(source)
    splitter = _load(model)
    for s in splitter.classify(text):
        tag = click.style(f"{s.label:<6}", fg=_COLOURS[s.label], bold=s.label == "body")
        click.echo(f"{tag} {s.score:.2f} {s.lang:<3} {s.lang_score:.2f}  {text[s.start:s.end]}", color=color)


if __name__ == "__main__":  # pragma: no cover
    main()
