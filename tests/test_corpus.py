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


def test_some_pages_have_long_articles(built):
    """Real articles run to dozens of paragraphs; a good share of pages must too."""
    bodies = [sum(x["label"] == "body" for x in p["lines"]) for p in built["train"]]
    assert sum(n >= 15 for n in bodies) >= len(bodies) // 5
    assert max(bodies) >= 25
    # ... and short pieces are still there
    assert sum(n <= 8 for n in bodies) >= len(bodies) // 4


def test_long_pages_still_end_in_furniture(built):
    long_pages = [p for p in built["train"] if sum(x["label"] == "body" for x in p["lines"]) >= 15]
    ends = [p["lines"][-1]["label"] != "body" for p in long_pages]
    assert long_pages and sum(ends) >= 0.7 * len(ends)


def test_joined_articles_stay_in_their_split(built):
    """A long article joined from several documents uses documents of one split and one language."""
    joined = 0
    for name in ("train", "dev_family", "dev_locale", "dev_article"):
        for p in built[name]:
            ids = p["article_ids"]
            assert ids[0] == p["article_id"] and len(set(ids)) == len(ids)
            assert all(corpus.is_dev_article(i) == (name != "train") for i in ids), (name, ids)
            joined += len(ids) > 1
    assert joined >= 10
    train_ids = {i for p in built["train"] for i in p["article_ids"]}
    dev_ids = {i for name in ("dev_family", "dev_locale", "dev_article") for p in built[name] for i in p["article_ids"]}
    assert not train_ids & dev_ids


def test_long_article_parts():
    res = corpus.Resources.load()
    maker = corpus.PageMaker(res, sorted(res.families), ["en"], res.articles)
    import random
    by_id = {d["id"]: d for d in res.articles}
    for seed in range(30):
        rng = random.Random(seed)
        doc = rng.choice(maker.by_lang[rng.choice(maker.langs)])
        art = maker._long_article(rng, doc)
        assert art["title"] == doc.get("title") and art["parts"][0] == doc["id"]
        assert all(by_id[i]["lang"] == doc["lang"] for i in art["parts"])
        assert corpus.LONG_MIN <= len(art["paragraphs"]) <= corpus.LONG_MAX
        assert all(p.strip() for p in art["paragraphs"])


def test_sentence_splitter_and_subheadings():
    import random
    assert corpus._sentences("The U.S. Treasury said so. Mr. Smith agreed! Why? Yes.", "en") == [
        "The U.S. Treasury said so.", "Mr. Smith agreed!", "Why?", "Yes."]
    assert corpus._sentences("今天很好。我们去吧！好吗？", "zh") == ["今天很好。", "我们去吧！", "好吗？"]
    assert corpus._sentences("هل هذا صحيح؟ نعم. شكرا.", "ar") == ["هل هذا صحيح؟", "نعم.", "شكرا."]
    rng = random.Random(1)
    paras = corpus._reparagraph(["One. Two. Three. Four. Five. Six. Seven."], "en", rng)
    assert 3 <= len(paras) <= 7 and " ".join(paras) == "One. Two. Three. Four. Five. Six. Seven."
    for seed in range(50):
        head = corpus._subheading(["The government announced a new plan for the railways on Monday. It costs more."],
                                  "en", random.Random(seed), "plain")
        assert 3 <= len(head) < 60 and not head.endswith(".")
