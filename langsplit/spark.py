"""langsplit on Apache Spark: clean a DataFrame's text column on every executor.

>>> from langsplit.spark import clean_dataframe                       # doctest: +SKIP
>>> out = clean_dataframe(spark.read.parquet("pages/"), "text")       # doctest: +SKIP
>>> out.select("id", "clean", "spans").write.parquet("clean/")        # doctest: +SKIP

Rows go to the model in Arrow batches through ``mapInPandas``: each Python
worker loads the model once (the installed package's, or a model folder
shipped with the job, see ``ship_model``) and classifies a batch with one
``classify_many`` call.  The results are those of the batch CLI for the same
text: the same ``clean`` string and the same spans, scores rounded to four
decimals as in ``langsplit clean --format jsonl``.

Needs ``pip install 'langsplit[spark]'`` (pyspark, pandas, pyarrow) and a
Java runtime.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from .formats import span_dict
from .splitter import DEFAULT_KEEP, Splitter, join_spans
from .textmodel import LABELS

SPAN_TYPE = ("array<struct<start:long,end:long,label:string,score:double,"
             "lang:string,lang_score:double>>")
# A model folder shipped with SparkContext.addFile is named with this prefix (see ship_model).
SHIPPED = "sparkfiles:"

_cache: dict[str | None, Splitter] = {}
_lock = threading.Lock()


def _splitter(model: str | None) -> Splitter:
    """The model of this Python worker, loaded on first use and kept while the worker lives."""
    with _lock:
        if model not in _cache:
            path = model
            if model is not None and model.startswith(SHIPPED):
                from pyspark import SparkFiles

                path = SparkFiles.get(model[len(SHIPPED):])
            _cache[model] = Splitter.load(path)
        return _cache[model]


def ship_model(spark, folder: str) -> str:
    """Send a model folder (from ``langsplit train --add`` or ``training.train``) to every executor.

    Returns the name to pass as ``model=`` to ``clean_dataframe``.
    """
    from pathlib import Path

    path = Path(folder).resolve()
    if not (path / "metadata.json").is_file():
        raise ValueError(f"{folder}: not a langsplit model folder (no metadata.json)")
    spark.sparkContext.addFile(str(path), recursive=True)
    return SHIPPED + path.name


def classify_texts(texts: Sequence[object], model: str | None = None,
                   keep: Sequence[str] = DEFAULT_KEEP) -> tuple[list, list, list]:
    """Clean text, spans (as dicts) and error of each text; a missing or non-string text gets an error.

    One bad text never fails the batch: it is classified alone and, if it still fails, reported.
    """
    splitter = _splitter(model)
    cleaned: list = [None] * len(texts)
    spans: list = [None] * len(texts)
    errors: list = [None] * len(texts)
    good = []
    for i, t in enumerate(texts):
        if isinstance(t, str):
            good.append(i)
        else:
            # pandas may hand a null over as NaN rather than None
            missing = t is None or (isinstance(t, float) and t != t)
            errors[i] = "no text (null)" if missing else f"text is a {type(t).__name__}, not a string"
    try:
        results = splitter.classify_many([texts[i] for i in good])
    except Exception:  # noqa: BLE001 - find the page that broke it, keep the others
        results = []
        for i in good:
            try:
                results.append(splitter.classify(texts[i]))
            except Exception as exc:  # noqa: BLE001
                results.append(exc)
    for i, res in zip(good, results):
        if isinstance(res, Exception):
            errors[i] = f"classification failed ({type(res).__name__}: {res})"
            continue
        cleaned[i] = join_spans(texts[i], res, keep)
        spans[i] = [span_dict(s) for s in res]
    return cleaned, spans, errors


def clean_dataframe(df, text_col: str = "text", *, model: str | None = None,
                    keep: Sequence[str] = DEFAULT_KEEP, clean_col: str = "clean", spans_col: str = "spans",
                    error_col: str = "langsplit_error", with_spans: bool = True):
    """``df`` with three columns added: the clean text, the spans, and an error (null when fine).

    model: ``None`` for the packaged model, a folder that exists on every executor, or the
    name ``ship_model`` returned.  Columns of those names already in ``df`` are replaced.
    """
    from pyspark.sql.types import StringType, StructField, StructType, _parse_datatype_string

    bad = set(keep) - set(LABELS)
    if bad or not keep:
        raise ValueError(f"keep: choose from {list(LABELS)}")
    if text_col not in df.columns:
        raise ValueError(f"no column {text_col!r}; the DataFrame has {df.columns}")
    added = [clean_col, error_col] + ([spans_col] if with_spans else [])
    base = df.drop(*[c for c in added if c in df.columns])
    fields = list(base.schema.fields) + [StructField(clean_col, StringType(), True)]
    if with_spans:
        fields.append(StructField(spans_col, _parse_datatype_string(SPAN_TYPE), True))
    fields.append(StructField(error_col, StringType(), True))
    schema = StructType(fields)
    keep = tuple(keep)

    def run(batches: Iterator) -> Iterator:
        for pdf in batches:
            cleaned, spans, errors = classify_texts(pdf[text_col].tolist(), model, keep)
            pdf = pdf.copy()
            pdf[clean_col] = cleaned
            if with_spans:
                pdf[spans_col] = spans
            pdf[error_col] = errors
            yield pdf[[f.name for f in schema.fields]]

    return base.mapInPandas(run, schema)


def clean_files(spark, source: str, dest: str, text_col: str = "text", *, fmt: str = "parquet",
                out_fmt: str | None = None, model: str | None = None, keep: Sequence[str] = DEFAULT_KEEP,
                with_spans: bool = True, mode: str = "errorifexists") -> int:
    """Read Parquet or JSONL at ``source``, clean it, write ``dest``; returns the number of rows.

    ``mode="errorifexists"`` (Spark's default) never writes over an existing output.
    """
    reader = spark.read
    df = reader.parquet(source) if fmt == "parquet" else reader.json(source)
    # A single input file reads as one partition: spread it so that every core gets work.
    cores = spark.sparkContext.defaultParallelism
    if df.rdd.getNumPartitions() < cores:
        df = df.repartition(cores)
    if model is not None and not model.startswith(SHIPPED):
        model = ship_model(spark, model)
    out = clean_dataframe(df, text_col, model=model, keep=keep, with_spans=with_spans)
    writer = out.write.mode(mode)
    if (out_fmt or fmt) == "parquet":
        writer.parquet(dest)
    else:
        writer.json(dest)
    return spark.read.parquet(dest).count() if (out_fmt or fmt) == "parquet" else spark.read.json(dest).count()
