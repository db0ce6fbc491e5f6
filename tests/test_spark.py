"""langsplit on Spark (local mode): the same results as the batch CLI, row by row."""

import json
import shutil

import pytest
from click.testing import CliRunner

pytest.importorskip("pyspark", reason="pip install 'langsplit[spark]'")
if shutil.which("java") is None:  # pragma: no cover - CI installs a Java runtime
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

from langsplit.cli import main  # noqa: E402

from prose_template import page  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("langsplit-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "200").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def documents(seed_pages: list[dict], n: int = 1000) -> list[dict]:
    """n pages: a made-up site's template, the real seed pages, and odd ones."""
    seeds = [g["text"] for g in seed_pages]
    docs = []
    for i in range(n):
        if i % 10 == 0:
            text = seeds[(i // 10) % len(seeds)]
        elif i % 97 == 0:
            text = ["", "   \n\t", "Only one line", "Ünïcödé\r\nCRLF line\r\n\r\nand more"][(i // 97) % 4]
        else:
            text = page(i)["text"]
        docs.append({"id": f"d{i:04d}", "text": text, "extra": i})
    return docs


def test_the_same_1000_documents_give_identical_results_through_spark_and_the_batch_cli(spark, tmp_path,
                                                                                        seed_pages):
    from langsplit.spark import clean_dataframe

    docs = documents(seed_pages)
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")

    cli = CliRunner().invoke(main, ["clean", "--jsonl", str(src), "-o", str(tmp_path / "cli"), "-q", "-j", "1"])
    assert cli.exit_code == 0, cli.output
    by_cli = {r["id"]: r for r in map(json.loads, (tmp_path / "cli" / "docs.jsonl").read_text(encoding="utf-8")
                                      .splitlines())}

    df = spark.createDataFrame([(d["id"], d["text"], d["extra"]) for d in docs], "id string, text string, extra long")
    rows = clean_dataframe(df.repartition(4), "text").collect()
    assert len(rows) == len(docs) == len(by_cli)
    for row in rows:
        want = by_cli[row["id"]]
        assert row["langsplit_error"] is None
        assert row["clean"] == want["clean"]
        assert [s.asDict() for s in row["spans"]] == want["spans"]
        assert row["extra"] == want["extra"]  # the other columns pass through


def test_bad_rows_get_an_error_and_the_others_go_on(spark):
    from langsplit.spark import clean_dataframe

    df = spark.createDataFrame([("a", "Headline\n\nA paragraph of the story."), ("b", None)], "id string, text string")
    rows = {r["id"]: r for r in clean_dataframe(df, "text").collect()}
    assert rows["a"]["langsplit_error"] is None and rows["a"]["spans"]
    assert rows["b"]["clean"] is None and rows["b"]["langsplit_error"] == "no text (null)"
    with pytest.raises(ValueError, match="no column 'body'"):
        clean_dataframe(df, "body")


def test_spark_clean_reads_and_writes_parquet_with_a_shipped_model(spark, tmp_path, seed_pages):
    from langsplit.adapt import retrain
    from langsplit.spark import clean_files

    retrain([page(i) for i in range(3)], tmp_path / "gazette", evaluate_dev=False)
    docs = documents(seed_pages, 40)
    spark.createDataFrame([(d["id"], d["text"]) for d in docs], "id string, text string") \
        .write.parquet(str(tmp_path / "in.parquet"))
    n = clean_files(spark, str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet"),
                    model=str(tmp_path / "gazette"), with_spans=False)
    assert n == 40
    out = {r["id"]: r["clean"] for r in spark.read.parquet(str(tmp_path / "out.parquet")).collect()}
    assert not any("Gazette Circle" in (c or "") for c in out.values())  # the taught model was used
