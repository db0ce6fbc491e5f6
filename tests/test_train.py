"""Training: a small model fits from labelled pages, deterministically, and loads back."""

import filecmp

import pytest

import langsplit
from langsplit.train import fit, line_labels
from langsplit.segment import split_lines

SMALL = dict(
    textmodel_params={"dim": 8, "bucket": 20_000, "epoch": 3},
    classifier_params={"max_iter": 15},
    quantize=False,
    verbose=False,
)


def page(i: int) -> dict:
    """A tiny labelled page in the gold format."""
    parts = [("Start your free trial today", "chrome"), (f"Story number {i} makes the news", "body"),
             (f"The council met on day {i} and agreed a new plan for the town centre.", "body"),
             ("Allerede abonnent? Logg på", "chrome"), (f"Other story {i + 1} headline", "teaser")]
    text, lines = "", []
    for line, label in parts:
        lines.append({"start": len(text), "end": len(text) + len(line), "label": label})
        text += line + "\n\n"
    return {"id": f"p{i}", "text": text, "lines": lines, "group": f"g{i % 3}"}


def test_gold_lines_map_onto_our_lines():
    p = page(1)
    assert line_labels(p, split_lines(p["text"])) == ["chrome", "body", "body", "chrome", "teaser"]


def test_fit_is_deterministic_and_loads(tmp_path):
    pages = [page(i) for i in range(30)]
    a = fit(pages, tmp_path / "a", **SMALL)
    b = fit(pages, tmp_path / "b", **SMALL)
    assert filecmp.cmp(a / "textmodel.ftz", b / "textmodel.ftz", shallow=False)
    sa, sb = langsplit.Splitter.load(a), langsplit.Splitter.load(b)
    text = page(99)["text"]
    assert sa.classify(text) == sb.classify(text)
    assert sa.metadata["training_data"]["labels"] == {"body": 60, "chrome": 60, "teaser": 30}


def test_fit_refuses_pages_without_lines(tmp_path):
    with pytest.raises(ValueError, match="no labelled lines"):
        fit([{"text": "", "lines": []}], tmp_path / "m", **SMALL)
