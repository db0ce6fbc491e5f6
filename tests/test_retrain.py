"""Teaching the model a new template from a few labelled pages (langsplit train --add)."""

import json

import pytest
from click.testing import CliRunner

import langsplit
from langsplit import ModelError, Splitter
from langsplit.annotate import AnnotationError, write_tsv
from langsplit.cli import main
from langsplit.evaluate import Scorer
from langsplit.memory import MEMORY_FILE, TemplateMemory
from langsplit.adapt import read_labelled, retrain
from langsplit.splitter import Span

from prose_template import page

TAUGHT = [page(i) for i in range(3)]
# Other articles than the taught pages, and other draws of the template's furniture.
UNSEEN = [page(i, seed=1) for i in range(3, 23)]


def scores(splitter: Splitter, pages: list[dict]) -> dict:
    scorer = Scorer()
    for p, spans in zip(pages, splitter.classify_many([p["text"] for p in pages])):
        scorer.add(p, spans)
    return scorer.report()


@pytest.fixture(scope="module")
def taught(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models") / "gazette"
    return retrain(TAUGHT, folder), Splitter.load(folder)


def test_three_pages_teach_a_template_the_packaged_model_gets_wrong(taught):
    result, adapted = taught
    before = scores(Splitter.load(), UNSEEN)["per_class"]["chrome"]["f1"]
    after = scores(adapted, UNSEEN)["per_class"]["chrome"]["f1"]
    assert before < 0.7
    assert after >= 0.95
    # ... without costing the templates it already knew: the base model's held-out dev pages.
    assert result.dev_before["pages"] >= 100
    assert result.dev_after["macro_f1"] >= result.dev_before["macro_f1"] - 0.01


def test_the_result_says_what_was_learned(taught):
    result, _ = taught
    assert result.pages == 3 and result.labels["chrome"] > 0
    assert result.remembered["chrome"] == result.labels["chrome"]
    assert result.remembered["teaser"] == 0  # headlines change daily: never remembered
    # Leave-one-out: each added page scored by what the two others taught.
    assert result.added_loo["per_class"]["chrome"]["f1"] > result.added_before["per_class"]["chrome"]["f1"]
    text = result.format()
    assert "leave-one-out" in text and "base dev sample" in text


def test_retraining_is_deterministic(tmp_path, taught):
    retrain(TAUGHT, tmp_path / "again")
    result, _ = taught
    assert (tmp_path / "again" / MEMORY_FILE).read_bytes() == (result.folder / MEMORY_FILE).read_bytes()


def test_the_annotation_round_trip_on_the_command_line(tmp_path):
    runner = CliRunner()
    tsvs = []
    for k, p in enumerate(TAUGHT):
        (tmp_path / f"page{k}.txt").write_text(p["text"], encoding="utf-8")
        pre = runner.invoke(main, ["label", str(tmp_path / f"page{k}.txt"), "--tsv"])
        assert pre.exit_code == 0
        # A person corrects the model's labels; here the gold labels stand in for them.
        gold = [Span(g["start"], g["end"], g["label"], 1.0, "en", 1.0) for g in p["lines"]]
        fixed = write_tsv(p["text"], gold, f"page{k}.txt")
        assert fixed != pre.output  # the model had something to learn
        (tmp_path / f"page{k}.tsv").write_text(fixed, encoding="utf-8")
        tsvs.append(str(tmp_path / f"page{k}.tsv"))
    out = runner.invoke(main, ["train", "--add", *tsvs, "-o", str(tmp_path / "m")])
    assert out.exit_code == 0, out.output
    assert "learned from 3 page(s)" in out.output
    (tmp_path / "new.txt").write_text(UNSEEN[0]["text"], encoding="utf-8")
    cleaned = runner.invoke(main, ["clean", "--model", str(tmp_path / "m"), str(tmp_path / "new.txt")])
    assert cleaned.exit_code == 0
    assert "Gazette Circle" not in cleaned.output
    assert UNSEEN[0]["text"].split("\n")[0] in cleaned.output  # the headline stays


def test_gold_jsonl_is_accepted_and_a_retrained_model_can_be_the_base(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(p) + "\n" for p in TAUGHT[:2]), encoding="utf-8")
    first = langsplit.retrain(langsplit.read_labelled([str(gold)]), str(tmp_path / "m1"))  # the public call
    second = retrain(read_labelled([gold]), tmp_path / "m2", base=tmp_path / "m1", evaluate_dev=False)
    assert second.memory_size == first.memory_size  # the same lines again: counted, not duplicated
    assert Splitter.load(tmp_path / "m2").model.memory is not None


def test_bad_annotations_are_named_with_their_row(tmp_path):
    (tmp_path / "a.tsv").write_text("chrome\tSubscribe now\nbodyy\tThe story\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"a.tsv:2: unknown label 'bodyy'"):
        read_labelled([tmp_path / "a.tsv"])
    coarse = dict(TAUGHT[0], coarse=True)
    (tmp_path / "c.jsonl").write_text(json.dumps(coarse) + "\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["train", "--add", str(tmp_path / "c.jsonl"), "-o", str(tmp_path / "m")])
    assert out.exit_code == 1 and "coarse labels" in out.output


def test_never_writes_over_a_folder_that_is_not_a_model(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a langsplit model folder"):
        retrain(TAUGHT[:1], tmp_path / "notes", evaluate_dev=False)
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"


def test_a_tampered_memory_is_refused(tmp_path):
    retrain(TAUGHT[:1], tmp_path / "m", evaluate_dev=False)
    path = tmp_path / "m" / MEMORY_FILE
    path.write_text(path.read_text().replace('"chrome"', '"body"'), encoding="utf-8")
    with pytest.raises(ModelError, match="memory.json"):
        Splitter.load(tmp_path / "m")


def test_memory_matches_template_lines_through_small_changes():
    memory = TemplateMemory.from_lines([
        ("You are reading one of 3 free articles that The Harbour Gazette offers each month.", "chrome"),
        ("Allerede abonnent? Logg på", "chrome"),
    ])
    weight, dist = memory.match([
        "You are reading one of 10 free articles that The Harbour Gazette offers every month.",  # fuzzy
        "ALLEREDE ABONNENT ? Logg på",  # case and spacing
        "The council agreed a new plan for the harbour on Tuesday evening.",  # nothing like it
    ])
    assert weight[0] > 0.5 and weight[1] == pytest.approx(memory.strength) and weight[2] == 0
    assert dist[0].argmax() == dist[1].argmax() == 1  # chrome
    again = TemplateMemory.from_json(memory.to_json())
    assert again.to_json() == memory.to_json()
