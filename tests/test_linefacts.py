"""LineFacts asks the line models about each distinct line once, and remembers short lines."""

import numpy as np

from langsplit.linefacts import LineFacts, distinct


class CountingLid:
    """Stands in for LanguageIdentifier: "en" for lines with an "e", else "de"."""

    def __init__(self):
        self.asked: list[list[str]] = []

    def predict(self, lines):
        self.asked.append(list(lines))
        return ["en" if "e" in l else "de" for l in lines], np.array([len(l) / 100 for l in lines], np.float32)


class CountingTextModel:
    def __init__(self):
        self.asked: list[list[str]] = []

    def predict_proba(self, lines):
        self.asked.append(list(lines))
        return np.array([[len(l) / 100, 0.5, 0.25] for l in lines], dtype=np.float32)


def test_distinct_keeps_first_appearance_order():
    keys, ids = distinct(["b", "a", "b", "c", "a"])
    assert keys == ["b", "a", "c"]
    assert ids.tolist() == [0, 1, 0, 2, 1]


def test_each_distinct_line_is_asked_once_and_answers_come_back_per_line():
    lid, tm = CountingLid(), CountingTextModel()
    facts = LineFacts(lid, tm)
    lines = ["Log in", "The article text", "Log in", "Abo"]
    codes, probs, rows = facts(lines)
    assert lid.asked == [["Log in", "The article text", "Abo"]] and tm.asked == lid.asked
    assert codes.tolist() == ["de", "en", "de", "de"]
    np.testing.assert_allclose(probs, [0.06, 0.16, 0.06, 0.03])
    assert rows.shape == (4, 3) and rows.dtype == np.float32
    np.testing.assert_allclose(rows[:, 0], probs)


def test_short_lines_are_remembered_across_calls_long_ones_are_not():
    lid, tm = CountingLid(), CountingTextModel()
    facts = LineFacts(lid, tm, max_key_chars=10)
    long = "A long paragraph of the article"
    facts(["Log in", long])
    codes, probs, _ = facts(["Log in", long, "Abo"])
    assert lid.asked[-1] == [long, "Abo"]  # "Log in" came from memory
    assert codes.tolist() == ["de", "en", "de"]
    np.testing.assert_allclose(probs, [0.06, 0.31, 0.03])
    assert len(facts) == 2


def test_the_memory_is_bounded():
    facts = LineFacts(CountingLid(), CountingTextModel(), max_entries=3)
    for batch in (["a", "b"], ["c", "d"], ["e", "f", "g", "h"]):
        codes, _, _ = facts(batch)
        assert len(codes) == len(batch)
        assert len(facts) <= 3
    # Whatever was dropped, remembered answers are still the models' answers.
    codes, probs, _ = facts(["g", "h", "a"])
    assert codes.tolist() == ["de", "de", "de"]
    np.testing.assert_allclose(probs, [0.01, 0.01, 0.01])


def test_no_lines():
    codes, probs, rows = LineFacts(CountingLid(), CountingTextModel())([])
    assert len(codes) == 0 and probs.shape == (0,) and rows.shape == (0, 3)
