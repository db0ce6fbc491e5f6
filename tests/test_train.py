"""Training: a small model fits from labelled pages, deterministically, and loads back."""

import pytest

import langsplit
from langsplit.train import fit, line_labels
from langsplit.segment import split_lines

SMALL = dict(
    textmodel_params={"dim": 8, "bucket": 20_000, "epoch": 3, "lr": 0.1},
    classifier_params={"max_iter": 15, "second_max_iter": 15},
    quantize=False,
    verbose=False,
)


TOPICS = ["harbour", "library", "election", "bridge", "festival", "school", "railway", "hospital",
          "museum", "market", "stadium", "airport", "forest", "river", "theatre"]


def page(i: int) -> dict:
    """A tiny labelled page in the gold format."""
    topic, other = TOPICS[i % len(TOPICS)], TOPICS[(i * 7 + 3) % len(TOPICS)]
    parts = [("Start your free trial today", "chrome"), (f"The {topic} makes the news", "body"),
             (f"The council met about the {topic} and agreed a new plan for the town centre.", "body"),
             ("Allerede abonnent? Logg på", "chrome"), (f"Other story about the {other}", "teaser")]
    text, lines = "", []
    for line, label in parts:
        lines.append({"start": len(text), "end": len(text) + len(line), "label": label})
        text += line + "\n\n"
    return {"id": f"p{i}", "text": text, "lines": lines, "group": f"g{i % 3}"}


def test_gold_lines_map_onto_our_lines():
    p = page(1)
    assert line_labels(p, split_lines(p["text"])) == ["chrome", "body", "body", "chrome", "teaser"]


def test_fit_is_repeatable_and_loads(tmp_path):
    pages = [page(i) for i in range(30)]
    a = fit(pages, tmp_path / "a", **SMALL)
    b = fit(pages, tmp_path / "b", **SMALL)
    sa, sb = langsplit.Splitter.load(a), langsplit.Splitter.load(b)
    text = page(99)["text"]
    # fastText's training is not bit-exact across runs (last-bit float noise,
    # even on one thread); the labels it leads to must not change.
    spans_a, spans_b = sa.classify(text), sb.classify(text)
    assert [(s.start, s.end, s.label) for s in spans_a] == [(s.start, s.end, s.label) for s in spans_b]
    assert max(abs(x.score - y.score) for x, y in zip(spans_a, spans_b)) < 1e-3
    assert sa.metadata["training_data"]["labels"] == {"body": 60, "chrome": 60, "teaser": 30}


def test_fit_refuses_pages_without_lines(tmp_path):
    with pytest.raises(ValueError, match="no labelled lines"):
        fit([{"text": "", "lines": []}], tmp_path / "m", **SMALL)
