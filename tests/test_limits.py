"""Pages too big to classify are refused up front, with a message, instead of exhausting memory
part-way (issue 8). The CLI's own limit on input files is --max-bytes (tests/test_cli_subprocess.py)."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

import langsplit
from langsplit.batch import CleanOptions, plan, run
from langsplit.langid import LanguageIdentifier
from langsplit.segment import count_lines, split_lines


@pytest.fixture()
def small(splitter) -> langsplit.Splitter:
    """The session's model, with limits small enough to reach in a test."""
    return langsplit.Splitter(splitter.model, splitter.lid, max_chars=200, max_lines=3)


@pytest.fixture()
def no_model_work(monkeypatch):
    """Makes any call of the language identifier (the first step of classifying) fail the test."""
    def called(*args, **kwargs):
        raise AssertionError("a refused page reached the models")

    monkeypatch.setattr(LanguageIdentifier, "predict", called)


def test_a_page_at_the_limits_is_classified(small):
    assert [s.label for s in small.classify("One.\n\nTwo.\nThree.")]
    assert len(small.classify("x" * 200)) == 1
    assert len(small.classify("a\n\n \nb\nc\n" + " " * 180)) == 3  # blank lines do not count


def test_a_page_over_a_limit_is_refused_before_any_work(small, no_model_work):
    with pytest.raises(langsplit.InputTooLarge, match=r"the page has 201 characters, more than max_chars=200"):
        small.classify("x" * 201)
    with pytest.raises(langsplit.InputTooLarge, match=r"the page has 4 non-blank lines, more than max_lines=3"):
        small.clean("a\nb\nc\nd")
    # One page too big refuses the whole batch: a caller never gets half of its results.
    with pytest.raises(langsplit.InputTooLarge, match=r"page 1 of the batch has 4 non-blank lines"):
        small.classify_many(["fine", "a\nb\nc\nd", "fine"])
    # A ValueError like any other bad argument, so existing handlers catch it.
    with pytest.raises(ValueError):
        small.classify("x" * 1000)


def test_no_limit_when_none(splitter):
    unlimited = langsplit.Splitter(splitter.model, splitter.lid, max_chars=None, max_lines=None)
    assert len(unlimited.classify("a\n" * 5000)) == 5000


def test_the_default_limits_refuse_pathological_pages_at_once(no_model_work):
    # The packaged model's limits: 50 million characters, a million lines (some 3 GB of memory).
    assert (langsplit.MAX_CHARS, langsplit.MAX_LINES) == (50_000_000, 1_000_000)
    with pytest.raises(langsplit.InputTooLarge, match="max_chars=50,000,000"):
        langsplit.classify(" " * (langsplit.MAX_CHARS + 1))
    with pytest.raises(langsplit.InputTooLarge, match="has 1,000,001 non-blank lines"):
        langsplit.classify("a\n" * (langsplit.MAX_LINES + 1))


def test_a_batch_run_fails_the_big_input_alone(small, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "big.txt").write_text("Line one.\nLine two.\nLine three.\nLine four.\n", encoding="utf-8")
    (src / "small.txt").write_text("Storm closes schools across the region.\n", encoding="utf-8")
    messages: list[str] = []
    options = CleanOptions()
    summary = run(plan([str(src)], tmp_path / "out", options), options, io.BytesIO(), report=messages.append,
                  splitter=small)
    assert (summary.cleaned, len(summary.failed)) == (1, 1)
    assert messages == [f"{src / 'big.txt'}: classification failed (InputTooLarge: the page has 4 non-blank "
                        "lines, more than max_lines=3; split it, or load the Splitter with a larger max_lines "
                        "(None: no limit)) (skipped)"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["small.txt"]


@given(st.text(alphabet=st.sampled_from("ab \t\xa0\x1f\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\u3000")))
def test_lines_are_counted_as_split_lines_finds_them(generated, text):
    generated["count_lines"] = generated.get("count_lines", 0) + 1
    assert count_lines(text) == len(split_lines(text))
