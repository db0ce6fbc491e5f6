"""Batch cleaning: planning outputs, safe and resumable writing, formats, JSONL records, eval.

Library-level tests call ``langsplit.batch`` with the session's splitter (one process, fast);
the CliRunner tests show the same through the ``langsplit`` command.
"""

import io
import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import langsplit
from langsplit.batch import CleanOptions, Summary, UsageError, plan, run
from langsplit.cli import main

STORY = ("Storm closes schools across the region\n\n"
         "Schools across the region closed on Tuesday as a storm brought heavy snow and strong winds, "
         "officials said, and more snow is expected later in the week.\n\n"
         "Allerede abonnent? Logg på\n")


def make_corpus(root: Path) -> Path:
    """A small input tree: two pages, a nested one, a hidden file and a non-.txt file."""
    (root / "news" / "2024").mkdir(parents=True)
    (root / "news" / "a.txt").write_text(STORY, encoding="utf-8")
    (root / "news" / "b.txt").write_text(STORY.replace("Tuesday", "Monday"), encoding="utf-8")
    (root / "news" / "2024" / "c.txt").write_text(STORY.replace("snow", "rain"), encoding="utf-8")
    (root / "news" / ".hidden.txt").write_text(STORY, encoding="utf-8")
    (root / "news" / "notes.md").write_text(STORY, encoding="utf-8")
    return root / "news"


def clean_dir(src, out, splitter, **opts) -> tuple[Summary, list[str]]:
    """Run the library over ``src`` into ``out``; return the summary and the messages."""
    options = CleanOptions(**opts)
    messages: list[str] = []
    summary = run(plan([str(src)], out, options), options, io.BytesIO(), report=messages.append, splitter=splitter)
    return summary, messages


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# ---- planning -----------------------------------------------------------------------------------

def test_outputs_mirror_the_input_tree(tmp_path):
    src = make_corpus(tmp_path)
    tasks = plan([str(src)], tmp_path / "out", CleanOptions(glob="*.txt"))
    assert [t.rel for t in tasks] == ["a.txt", "b.txt", "2024/c.txt"]  # sorted, hidden file left out
    assert tasks[0].output == tmp_path / "out" / "a.txt"
    tasks = plan([str(src)], tmp_path / "out", CleanOptions(format="jsonl"))
    assert [t.output.name for t in tasks] == ["a.txt.jsonl", "b.txt.jsonl", "notes.md.jsonl", "c.txt.jsonl"]


def test_inputs_are_never_overwritten(tmp_path):
    src = make_corpus(tmp_path)
    with pytest.raises(UsageError, match="is the input folder"):
        plan([str(src)], src, CleanOptions())
    with pytest.raises(UsageError, match="would overwrite the input"):
        plan([str(src / "a.txt")], src, CleanOptions())
    with pytest.raises(UsageError, match="would both be written to"):
        plan([str(src / "a.txt"), str(src / "2024" / "..") + "/a.txt"], tmp_path / "out", CleanOptions())


def test_an_output_folder_inside_the_input_is_not_read_back(tmp_path):
    src = make_corpus(tmp_path)
    (src / "clean").mkdir()
    (src / "clean" / "a.txt").write_text("an earlier output")
    tasks = plan([str(src)], src / "clean", CleanOptions(glob="*.txt"))
    assert [t.rel for t in tasks] == ["a.txt", "b.txt", "2024/c.txt"]


def test_several_text_outputs_need_an_output_folder(tmp_path):
    src = make_corpus(tmp_path)
    with pytest.raises(UsageError, match="needs -o OUTDIR"):
        plan([str(src)], None, CleanOptions())
    assert len(plan([str(src)], None, CleanOptions(format="jsonl", glob="*.txt"))) == 3  # records to stdout


# ---- running ------------------------------------------------------------------------------------

def test_a_folder_is_cleaned_and_a_rerun_skips_it(tmp_path, splitter):
    src, out = make_corpus(tmp_path), tmp_path / "out"
    summary, messages = clean_dir(src, out, splitter, glob="*.txt")
    assert (summary.cleaned, summary.skipped, summary.failed, messages) == (3, 0, [], [])
    assert files_under(out) == ["2024/c.txt", "a.txt", "b.txt"]  # no temporary files left behind
    article = (out / "a.txt").read_text(encoding="utf-8")
    assert "Schools across the region closed on Tuesday" in article and "Logg på" not in article
    assert oct((out / "a.txt").stat().st_mode & 0o777) == oct(0o666 & ~current_umask())

    summary, _ = clean_dir(src, out, splitter, glob="*.txt")
    assert (summary.cleaned, summary.skipped) == (0, 3)

    # An edited input is redone; --force redoes everything.
    later = time.time() + 5
    os.utime(src / "b.txt", (later, later))
    summary, _ = clean_dir(src, out, splitter, glob="*.txt")
    assert (summary.cleaned, summary.skipped) == (1, 2)
    summary, _ = clean_dir(src, out, splitter, glob="*.txt", force=True)
    assert (summary.cleaned, summary.skipped) == (3, 0)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_bad_inputs_are_reported_and_skipped(tmp_path, splitter):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(STORY, encoding="utf-8")
    (src / "binary.bin").write_bytes(b"\x00\x01\x02" * 100)
    (src / "latin1.txt").write_bytes("Café crème, a story.".encode("latin-1"))
    (src / "big.txt").write_text(STORY * 20, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    summary, messages = clean_dir(src, tmp_path / "out", splitter, max_bytes=len(STORY.encode()) * 2)
    assert summary.cleaned == 2 and summary.exit_code == 1
    assert [e.name for e in summary.failed] == [str(src / n) for n in ("big.txt", "binary.bin", "latin1.txt")]
    assert messages == [
        f"{src / 'big.txt'}: larger than --max-bytes ({len(STORY.encode()) * 20:,} > {len(STORY.encode()) * 2:,} "
        "bytes) (skipped)",
        f"{src / 'binary.bin'}: looks binary (NUL bytes); langsplit reads text (skipped)",
        f"{src / 'latin1.txt'}: not valid UTF-8 (byte 3); pass --encoding (e.g. latin-1, cp1252) or convert it "
        "to UTF-8 first (skipped)",
    ]
    assert files_under(tmp_path / "out") == ["empty.txt", "good.txt"]
    assert (tmp_path / "out" / "empty.txt").read_bytes() == b""
    assert "failed: " + ", ".join(e.name for e in summary.failed) in summary.format()


def test_a_page_that_breaks_the_model_fails_alone(tmp_path, splitter, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (src / name).write_text(STORY, encoding="utf-8")
    (src / "b.txt").write_text("\U0001f4a5 this page breaks the model", encoding="utf-8")
    real = langsplit.Splitter.classify_many

    def fragile(self, texts):
        texts = list(texts)
        if any("\U0001f4a5" in t for t in texts):
            raise RuntimeError("boom")
        return real(self, texts)

    monkeypatch.setattr(langsplit.Splitter, "classify_many", fragile)
    summary, messages = clean_dir(src, tmp_path / "out", splitter)
    assert summary.cleaned == 2
    assert messages == [f"{src / 'b.txt'}: classification failed (RuntimeError: boom) (skipped)"]
    assert files_under(tmp_path / "out") == ["a.txt", "c.txt"]


def test_formats_and_kept_labels(tmp_path, splitter):
    page = tmp_path / "page.txt"
    page.write_text(STORY, encoding="utf-8")
    stdout = io.BytesIO()
    options = CleanOptions(format="jsonl", keep=("body", "chrome"))
    run(plan([str(page)], None, options), options, stdout, splitter=splitter)
    (record,) = [json.loads(line) for line in stdout.getvalue().decode().splitlines()]
    assert list(record) == ["id", "path", "clean", "spans"]
    assert record["id"] == "page.txt" and "Logg på" in record["clean"]
    assert [s["label"] for s in record["spans"]] == ["body", "body", "chrome"]
    assert set(record["spans"][0]) == {"start", "end", "label", "score", "lang", "lang_score"}

    stdout = io.BytesIO()
    options = CleanOptions(format="spans")
    run(plan([str(page)], None, options), options, stdout, splitter=splitter)
    rows = stdout.getvalue().decode().splitlines()
    assert len(rows) == 3 and rows[2].startswith("chrome") and rows[2].endswith("Allerede abonnent? Logg på")


def test_jsonl_records_keep_their_fields_and_order(tmp_path, splitter):
    src = tmp_path / "pages.jsonl"
    records = [{"id": i, "text": STORY.replace("Tuesday", day), "url": f"https://example.org/{i}"}
               for i, day in enumerate(["Monday", "Tuesday", "Friday"])]
    lines = [json.dumps(r) for r in records]
    lines.insert(1, "{broken")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    summary, messages = clean_dir(src, out, splitter, jsonl=True, format="text")
    assert summary.cleaned == 3 and messages == [f"{src}:2: not JSON (Expecting property name enclosed in "
                                                 "double quotes at column 2) (skipped)"]
    got = [json.loads(line) for line in (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in got] == [0, 1, 2]
    assert all(g.items() >= r.items() for g, r in zip(got, records))  # every input field carried through
    assert "Friday" in got[2]["clean"] and "Logg på" not in got[2]["clean"] and "spans" not in got[2]


# ---- the command line ---------------------------------------------------------------------------

def test_cli_cleans_a_folder_and_resumes(tmp_path):
    src, out = make_corpus(tmp_path), tmp_path / "out"
    runner = CliRunner()
    r = runner.invoke(main, ["clean", str(src), "-o", str(out), "--glob", "*.txt", "-j", "1"])
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert "langsplit: cleaned 3, skipped 0 (up to date), failed 0" in r.stderr
    r = runner.invoke(main, ["clean", str(src), "-o", str(out), "--glob", "*.txt", "--quiet"])
    assert r.exit_code == 0 and r.stderr == ""


def test_cli_jsonl_from_stdin_to_stdout():
    stdin = "\n".join(json.dumps({"id": f"p{i}", "text": STORY, "lang": "en"}) for i in range(2)) + "\n"
    r = CliRunner().invoke(main, ["clean", "--jsonl", "-", "-q"], input=stdin)
    assert r.exit_code == 0, r.output
    got = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(g["id"], g["lang"]) for g in got] == [("p0", "en"), ("p1", "en")]
    assert got[0]["spans"][0]["label"] == "body"


def test_cli_usage_errors_exit_2(tmp_path):
    src = make_corpus(tmp_path)
    runner = CliRunner()
    r = runner.invoke(main, ["clean", str(src), "-o", str(src)])
    assert r.exit_code == 2 and "is the input folder" in r.stderr
    r = runner.invoke(main, ["clean", str(src)])
    assert r.exit_code == 2 and "needs -o OUTDIR" in r.stderr
    r = runner.invoke(main, ["clean", str(src), "-o", "x", "--encoding", "klingon"])
    assert r.exit_code == 2 and "unknown encoding" in r.stderr
    r = runner.invoke(main, ["clean", "--jsonl", "-", "--format", "spans"], input="")
    assert r.exit_code == 2
    r = runner.invoke(main, ["clean", str(src), "-o", "x", "--max-bytes", "lots"])
    assert r.exit_code == 2 and "is not a size" in r.stderr


def test_cli_reads_other_encodings_when_told(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes(STORY.replace("Storm", "Tempête").encode("latin-1"))
    r = CliRunner().invoke(main, ["clean", str(f), "--encoding", "latin-1"])
    assert r.exit_code == 0 and "Schools across the region closed" in r.stdout


def test_cli_eval(seed_pages, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(p) for p in seed_pages[:2]) + "\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["eval", str(gold)])
    assert r.exit_code == 0, r.output
    for row in ("pages: 2", "body ", "chrome ", "teaser ", "macro-F1", "body-line", "body-token", "docs/s"):
        assert row in r.stdout
    r = runner.invoke(main, ["eval", str(gold), "--json"])
    rep = json.loads(r.stdout)
    assert rep["pages"] == 2 and rep["docs_per_s"] > 0
    assert set(rep["per_class"]) == {"body", "chrome", "teaser"} and 0 <= rep["body_token"]["f1"] <= 1

    with gold.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "x", "text": "no lines"}) + "\n")
    r = runner.invoke(main, ["eval", str(gold)])
    assert r.exit_code == 1 and f"{gold}:3: no 'lines' list" in r.stderr and "pages: 2" in r.stdout
