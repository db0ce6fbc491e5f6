"""The command line, through click's test runner."""

from click.testing import CliRunner

from langsplit.cli import main

PAGE = ("Storm closes schools across the region\n\n"
        "Schools across the region closed on Tuesday as a storm brought heavy snow and strong winds, "
        "officials said, and more snow is expected later in the week.\n\n"
        "Allerede abonnent? Logg på\n")


def test_clean_file(tmp_path):
    f = tmp_path / "page.txt"
    f.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(f)])
    assert result.exit_code == 0, result.output
    assert "Schools across the region closed" in result.output
    assert "Logg på" not in result.output


def test_clean_stdin():
    result = CliRunner().invoke(main, ["clean", "-"], input=PAGE)
    assert result.exit_code == 0
    assert "Schools across the region closed" in result.output


def test_label_shows_every_line():
    result = CliRunner().invoke(main, ["label", "-", "--no-color"], input=PAGE)
    assert result.exit_code == 0
    rows = result.output.splitlines()
    assert len(rows) == 3
    assert rows[2].startswith("chrome") and rows[2].endswith("Allerede abonnent? Logg på")


def test_bad_input_gets_a_clear_error(tmp_path):
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Café crème".encode("latin-1"))
    runner = CliRunner()
    r = runner.invoke(main, ["clean", str(binary)])
    assert r.exit_code == 1 and "looks binary" in r.output
    r = runner.invoke(main, ["clean", str(latin1)])
    assert r.exit_code == 1 and "not valid UTF-8" in r.output
    r = runner.invoke(main, ["clean", str(tmp_path / "missing.txt")])
    assert r.exit_code == 1 and "cannot read" in r.output
    r = runner.invoke(main, ["clean", "-", "--keep", "article"], input="x")
    assert r.exit_code == 2


def test_utf16_with_bom_is_read(tmp_path):
    f = tmp_path / "page16.txt"
    f.write_bytes(PAGE.encode("utf-16"))
    r = CliRunner().invoke(main, ["clean", str(f)])
    assert r.exit_code == 0 and "Schools across the region closed" in r.output


def test_help_reads_well():
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0 and "langsplit clean page.txt" in r.output
