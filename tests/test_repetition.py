"""Lines that repeat across a batch: discover them, and clean with batch statistics."""

import json

import pytest
from click.testing import CliRunner

from langsplit.cli import main
from langsplit.repetition import RepetitionCounter, bound, count
from langsplit.textnorm import template_key

from prose_template import page

STORY = ["Harbour plan approved", "The council approved the harbour plan on Tuesday after a long debate.",
         "Work is due to start in the spring and to last two years, the council said."]


def test_counts_documents_not_occurrences_and_folds_dates_and_numbers():
    texts = [f"Edition of {d} November 2026\n\nStory number {d}\n\nEdition of {d} November 2026" for d in range(1, 8)]
    counter = count(texts)
    (top, *_rest) = counter.lines(min_docs=2)
    assert top.key == template_key("Edition of 1 November 2026") and top.docs == 7


def test_an_article_copied_by_many_sites_is_not_furniture():
    # Ten sites republish one wire story, each with furniture of its own: the story's
    # lines repeat ten times, but about one article.
    copies = [f"Site {k} home\n\n" + "\n\n".join(STORY) + f"\n\nSubscribe to site {chr(65 + k)}" for k in range(10)]
    counter = count(copies)
    assert {r.key for r in counter.lines(min_docs=10)} >= {template_key(s) for s in STORY}
    assert not counter.repeated(min_docs=10).keys & {template_key(s) for s in STORY}


def test_memory_stays_bounded_on_a_stream_of_unique_lines():
    counter = RepetitionCounter(capacity=500)
    for i in range(3000):
        counter.add(f"Unique story line {i} about thing {i * 7919 % 10007}\n\nAlways the same footer line")
    assert len(counter) <= bound(500, 6000)
    assert counter.lines(min_docs=3000)[0].example == "Always the same footer line"


@pytest.fixture(scope="module")
def template_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    pages = [page(i, seed=3) for i in range(200)]
    for i, p in enumerate(pages):
        (folder / f"p{i:03d}.txt").write_text(p["text"], encoding="utf-8")
    return folder, pages


def repeated_chrome(pages: list[dict], min_docs: int = 10) -> set[str]:
    """The gold chrome lines found on pages of at least min_docs different articles.

    (The template's pages cycle through 27 articles; the headline names the article.)
    """
    articles: dict[str, set] = {}
    for p in pages:
        headline = p["text"].split("\n")[0]
        for key in {template_key(p["text"][g["start"]:g["end"]]) for g in p["lines"] if g["label"] == "chrome"}:
            articles.setdefault(key, set()).add(headline)
    return {k for k, a in articles.items() if len(a) >= min_docs}


def test_a_batch_cleaned_with_statistics_loses_its_repeated_chrome(template_batch, tmp_path):
    folder, pages = template_batch
    runner = CliRunner()
    plain = runner.invoke(main, ["clean", str(folder), "-o", str(tmp_path / "plain"), "-j", "1", "-q"])
    stats = runner.invoke(main, ["clean", str(folder), "-o", str(tmp_path / "stats"), "-j", "1", "--batch-stats"])
    assert plain.exit_code == 0 and stats.exit_code == 0, stats.output
    assert "batch statistics: 200 documents" in stats.output
    chrome = repeated_chrome(pages)
    assert len(chrome) >= 8

    def kept_chrome(out_dir) -> int:
        return sum(template_key(line) in chrome
                   for f in sorted(out_dir.iterdir()) for line in f.read_text(encoding="utf-8").splitlines())

    assert kept_chrome(tmp_path / "plain") > 100  # the model alone keeps much of it
    assert kept_chrome(tmp_path / "stats") == 0
    # The articles are still there: every page keeps its headline.
    for i in (0, 57, 199):
        assert (tmp_path / "stats" / f"p{i:03d}.txt").read_text(encoding="utf-8").startswith(
            pages[i]["text"].split("\n")[0])


def test_discover_lists_the_template_lines_with_their_labels(template_batch):
    folder, pages = template_batch
    out = CliRunner().invoke(main, ["discover", str(folder), "--json", "--top", "50", "-q"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert rows[0]["docs"] == 200  # on every page, like the "More from the Gazette" header
    assert "More from the Gazette" in {r["example"] for r in rows if r["docs"] == 200}
    assert {r["key"] for r in rows if r["articles"] >= 10} == repeated_chrome(pages)
    # Repeated lines the model keeps as body are the ones a person should annotate.
    assert any(r["label"] == "body" for r in rows)


def test_batch_statistics_need_inputs_that_can_be_read_twice():
    out = CliRunner().invoke(main, ["clean", "-", "--batch-stats"], input="Some text")
    assert out.exit_code == 2 and "stdin" in out.output
