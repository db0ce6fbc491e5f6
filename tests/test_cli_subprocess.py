"""The `langsplit` command as a user runs it: real processes, real exit codes, stdout and stderr."""

import fcntl
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from conftest import SEEDS
SCRIPT = Path(sys.executable).with_name("langsplit")
PROMPTS = ("Diese Geschichte stammt", "Denne historien er fra", "Allerede abonnent")


def langsplit(*args: str, stdin: bytes | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m langsplit.cli ARGS`` (the same code as the console script)."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "langsplit.cli", *args], input=stdin, timeout=300, **streams)


@pytest.fixture()
def seed_files() -> list[Path]:
    files = sorted(SEEDS.glob("0*.txt"))
    if not files:
        pytest.skip(f"no seed pages in {SEEDS}")
    return files


@pytest.fixture()
def messy_folder(tmp_path, seed_files) -> Path:
    """The seed pages plus a binary file, an empty file, a Latin-1 file and one over 10 kB."""
    src = tmp_path / "in"
    src.mkdir()
    for f in seed_files:
        shutil.copyfile(f, src / f.name)
    (src / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (src / "empty.txt").write_bytes(b"")
    (src / "latin1.txt").write_bytes("Tempête sur la côte: les écoles fermées.\n".encode("latin-1"))
    (src / "big.txt").write_text(seed_files[0].read_text(encoding="utf-8") * 3, encoding="utf-8")
    return src


@pytest.mark.skipif(not SCRIPT.exists(), reason="the langsplit console script is not installed")
def test_console_script_prints_the_article(seed_files):
    page = seed_files[0]
    r = subprocess.run([str(SCRIPT), "clean", str(page)], capture_output=True, timeout=120)
    assert r.returncode == 0 and r.stderr == b""
    article = r.stdout.decode("utf-8")
    assert "Mr Kim Jong Un has a new best friend." in article
    assert not any(line.startswith(PROMPTS) for line in article.splitlines())

    r = subprocess.run([str(SCRIPT), "clean", "-"], input=page.read_bytes(), capture_output=True, timeout=120)
    assert r.returncode == 0 and r.stdout.decode("utf-8") == article


def test_a_messy_folder_is_cleaned_reported_and_resumed(messy_folder, tmp_path, seed_files):
    out = tmp_path / "out"
    r = langsplit("clean", str(messy_folder), "-o", str(out), "--max-bytes", "10k")
    assert r.returncode == 1, r.stderr
    assert r.stdout == b""
    err = r.stderr.decode("utf-8")
    assert f"{messy_folder / 'binary.bin'}: looks binary" in err
    assert f"{messy_folder / 'latin1.txt'}: not valid UTF-8" in err
    assert f"{messy_folder / 'big.txt'}: larger than --max-bytes" in err
    assert "cleaned 6, skipped 0 (up to date), failed 3;" in err
    assert f"failed: {messy_folder / 'big.txt'}, {messy_folder / 'binary.bin'}, {messy_folder / 'latin1.txt'}" in err
    assert "\r" not in err  # no progress bar when stderr is not a terminal

    assert sorted(p.name for p in out.iterdir()) == sorted([f.name for f in seed_files] + ["empty.txt"])
    assert (out / "empty.txt").read_bytes() == b""
    for f in seed_files:
        article = (out / f.name).read_text(encoding="utf-8")
        assert 0 < len(article) < f.stat().st_size
        assert not any(line.startswith(PROMPTS) for line in article.splitlines())
    written = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    r = langsplit("clean", str(messy_folder), "-o", str(out), "--max-bytes", "10k")
    err = r.stderr.decode("utf-8")
    assert r.returncode == 1  # the broken files are still broken, and said so again
    assert "cleaned 0, skipped 6 (up to date), failed 3;" in err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == written

    r = langsplit("clean", str(messy_folder), "-o", str(out), "--glob", "0*.txt", "--force", "-q")
    assert (r.returncode, r.stderr) == (0, b"")


def test_output_is_the_same_bytes_for_any_number_of_workers(seed_files):
    # Chunks of two pages, so that the five pages really are shared between two workers.
    args = ["clean", *map(str, seed_files), "--format", "jsonl", "--chunk-docs", "2", "-q"]
    one = langsplit(*args, "-j", "1")
    two = langsplit(*args, "-j", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout
    records = [json.loads(line) for line in one.stdout.decode("utf-8").splitlines()]
    assert [r["id"] for r in records] == [f.name for f in seed_files]


def test_usage_errors_exit_2_and_say_why(messy_folder):
    r = langsplit("clean", str(messy_folder), "-o", str(messy_folder))
    assert r.returncode == 2 and b"is the input folder" in r.stderr
    r = langsplit("clean", "--format", "pdf", "-")
    assert r.returncode == 2 and b"Invalid value for '--format'" in r.stderr


def test_jsonl_records_through_a_pipe(seed_files):
    stdin = "".join(json.dumps({"doc": i, "body": f.read_text(encoding="utf-8"), "site": "x"}) + "\n"
                    for i, f in enumerate(seed_files[:2])).encode("utf-8")
    r = langsplit("clean", "--jsonl", "-", "--text-field", "body", "--id-field", "doc", "--format", "text", "-q",
                  stdin=stdin)
    assert r.returncode == 0, r.stderr
    got = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    assert [(g["doc"], g["site"]) for g in got] == [(0, "x"), (1, "x")]
    assert all(g["clean"] and len(g["clean"]) < len(g["body"]) for g in got)


def test_progress_bar_only_on_a_terminal(seed_files, tmp_path):
    main_fd, term_fd = pty.openpty()
    # A fresh pty is 0 rows high, and tqdm draws nothing on a screen with no rows.
    fcntl.ioctl(term_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        r = langsplit("clean", *map(str, seed_files), "-o", str(tmp_path / "out"), "-j", "1", stderr=term_fd)
        os.close(term_fd)
        shown = b""
        while True:
            try:
                data = os.read(main_fd, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not data:
                break
            shown += data
    finally:
        os.close(main_fd)
    assert r.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "cleaning:" in text and "/s" in text and "cleaned 5, skipped 0" in text

    r = langsplit("clean", *map(str, seed_files), "-o", str(tmp_path / "out"), "--force")  # a pipe
    assert b"cleaning:" not in r.stderr and b"cleaned 5, skipped 0" in r.stderr


def test_eval_prints_the_project_scores():
    gold = SEEDS / "gold.jsonl"
    if not gold.exists():
        pytest.skip(f"{gold} not found")
    r = langsplit("eval", str(gold), "--json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["pages"] == 5 and rep["docs_per_s"] > 0
    assert {"per_class", "macro_f1", "body_line", "body_token"} <= rep.keys()
