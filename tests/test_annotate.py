"""Hand annotation: label rows written as TSV, corrected by a person, read back as a gold page."""

import pytest
from click.testing import CliRunner

from langsplit.annotate import AnnotationError, read_tsv, read_tsv_file
from langsplit.cli import main

PAGE = "Storm closes schools\n\nSchools closed on Tuesday as a storm brought heavy snow.\n\nLog in\n"


def test_label_tsv_round_trip(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["label", str(page), "--tsv"])
    assert result.exit_code == 0, result.output
    rows = [r for r in result.output.splitlines() if r and not r.startswith("#")]
    assert [r.split("\t", 1)[1] for r in rows] == ["Storm closes schools",
                                                   "Schools closed on Tuesday as a storm brought heavy snow.",
                                                   "Log in"]
    # A person corrects the first row and adds a comment; the file names its page.
    tsv = tmp_path / "page.tsv"
    fixed = result.output.replace(rows[0], "body\tStorm closes schools") + "# checked by hand\n"
    tsv.write_text(fixed, encoding="utf-8")
    gold = read_tsv_file(tsv)
    assert gold["text"] == PAGE
    assert gold["lines"][0] == {"start": 0, "end": 20, "label": "body"}
    assert [PAGE[g["start"]:g["end"]] for g in gold["lines"]][2] == "Log in"


def test_rows_without_the_page_rebuild_it():
    gold = read_tsv("chrome\tHome\n\n# a comment\nbody\tThe story.\n")
    assert gold["text"] == "Home\nThe story."
    assert [g["label"] for g in gold["lines"]] == ["chrome", "body"]


def test_mistakes_are_reported_with_their_row():
    with pytest.raises(AnnotationError, match=r"<tsv>:2: unknown label 'artcle'"):
        read_tsv("body\tHeadline\nartcle\tText.\n")
    with pytest.raises(AnnotationError, match=r"<tsv>:1: no tab"):
        read_tsv("body Headline\n")
    with pytest.raises(AnnotationError, match=r"<tsv>:3: does not match the page's line 'Log in'"):
        read_tsv("body\tStorm closes schools\nbody\tSchools closed on Tuesday as a storm brought heavy snow."
                 "\nchrome\tSign in\n", page=PAGE)
    with pytest.raises(AnnotationError, match="2 labelled rows, but the page has 3"):
        read_tsv("body\tStorm closes schools\nchrome\tLog in\n", page=PAGE)
