"""The corpus builder: deterministic, well-formed pages, and dev splits that stay held out."""

from __future__ import annotations

import pytest

corpus = pytest.importorskip("training.corpus")


@pytest.fixture(scope="module")
def built():
    return corpus.build(40, 15, seed=3)


def test_same_seed_same_pages(built):
    again = corpus.build(40, 15, seed=3)
    for name in ("train", "dev_family", "dev_locale", "dev_article"):
        assert [p["text"] for p in again[name]] == [p["text"] for p in built[name]]
    assert again["furniture"] == built["furniture"]


def test_lines_are_the_non_blank_lines(built):
    for name in ("train", "dev_family", "dev_locale", "dev_article"):
        for p in built[name]:
            text = p["text"]
            spans = [(x["start"], x["end"]) for x in p["lines"]]
            assert all(x["label"] in ("body", "chrome", "teaser") for x in p["lines"])
            assert any(x["label"] == "body" for x in p["lines"])
            # every labelled span is one whole stripped line, and every non-blank line is labelled
            want = []
            pos = 0
            for line in text.split("\n"):
                stripped = line.rstrip("\r")
                if stripped.strip():
                    lead = len(stripped) - len(stripped.lstrip())
                    want.append((pos + lead, pos + len(stripped.rstrip())))
                pos += len(line) + 1
            assert spans == want, p["id"]


def test_dev_sets_hold_out_families_locales_and_articles(built):
    for p in built["train"]:
        assert p["family"] not in corpus.DEV_FAMILIES
        assert p["locale"] not in corpus.DEV_LOCALES
        assert not corpus.is_dev_article(p["article_id"])
    assert all(p["family"] in corpus.DEV_FAMILIES for p in built["dev_family"])
    assert all(p["locale"] in corpus.DEV_LOCALES for p in built["dev_locale"])
    for name in ("dev_family", "dev_locale", "dev_article"):
        assert all(corpus.is_dev_article(p["article_id"]) for p in built[name])


def test_teasers_follow_articles_in_their_language():
    """Other articles right under the body, in the article's language, are common on real pages."""
    res = corpus.Resources.load()
    fams = [f for f in sorted(res.families) if f not in corpus.DEV_FAMILIES]
    locs = sorted({loc for f in res.families.values() for loc in f["locales"]} - corpus.DEV_LOCALES)
    maker = corpus.PageMaker(res, fams, locs, res.articles)
    follows = 0
    for i in range(200):
        labels = [x["label"] for x in maker.make(i)["lines"]]
        last_body = max(k for k, lab in enumerate(labels) if lab == "body")
        follows += last_body + 1 < len(labels) and labels[last_body + 1] == "teaser"
    assert follows >= 30
