"""The five seed pages end to end: furniture and teaser lists go, the article stays.

The seeds are never used in training, so these are honest examples of use.
"""

from langsplit.evaluate import Scorer


def labelled_lines(splitter, page):
    text = page["text"]
    spans = splitter.classify(text)
    return [(text[s.start:s.end], s.label) for s in spans]


def test_german_and_norwegian_prompts_go(splitter, seed_pages):
    prompts = ("Diese Geschichte stammt", "Starten Sie Ihre", "Denne historien er fra",
               "Start din 7-dagers", "Allerede abonnent", "Start your 7-day", "This story is from the")
    seen = 0
    for page in seed_pages:
        for line, label in labelled_lines(splitter, page):
            if line.startswith(prompts):
                seen += 1
                assert label != "body", line
    assert seen >= 10


def test_article_paragraphs_stay(splitter, seed_pages):
    kept = total = 0
    for page in seed_pages:
        gold = {page["text"][g["start"]:g["end"]].strip(): g["label"] for g in page["lines"]}
        for line, label in labelled_lines(splitter, page):
            if gold.get(line) == "body" and len(line) > 150:
                total += 1
                kept += label == "body"
    assert total >= 20
    assert kept / total >= 0.95


def test_teaser_lists_go(splitter, seed_pages):
    dropped = total = 0
    for page in seed_pages:
        clean = splitter.clean(page["text"])
        for g in page["lines"]:
            if g["label"] == "teaser":
                line = page["text"][g["start"]:g["end"]].strip()
                total += 1
                dropped += line not in clean.split("\n")
    assert dropped / total >= 0.9


def test_seed_scores(splitter, seed_pages):
    scorer = Scorer()
    for page, spans in zip(seed_pages, splitter.classify_many([p["text"] for p in seed_pages])):
        scorer.add(page, spans)
    report = scorer.report()
    assert report["body_token"]["f1"] >= 0.9
    assert report["macro_f1"] >= 0.8
