"""The fast paths of issue 7 compute exactly what the plain per-line code computed.

The packaged model was trained on features from the per-line loops kept in
``reference_impl.py``; the vectorised code must give the same feature matrices (bit for
bit), the same normalised views of lines for both fastText models, the same tree-ensemble
probabilities, and so the same spans.  Pages come from the training generator (several
languages, families and locales), the seed pages, and hypothesis's hostile text.
"""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_impl as ref
from conftest import SEEDS
from contract import BREAKS, LINES, SPECIAL
from langsplit import features, textnorm
from langsplit.langid import main_language
from langsplit.linecache import LineCache
from langsplit.segment import split_lines
from langsplit.splitter import Span
from langsplit.textmodel import LABELS

any_char = st.one_of(st.characters(exclude_categories=()), st.sampled_from(SPECIAL))
word = st.one_of(st.sampled_from(LINES), st.text(any_char, max_size=8), st.sampled_from(SPECIAL),
                 st.sampled_from(["2024", "12.05.2023", "5 min", "ΣΑΣ", "(C)", "©", "www.x.com", "{{a}}",
                                  "LOG IN", "İstanbul", "»", "…", "a@b"]))
line = st.lists(word, max_size=12).map(" ".join)
page = st.lists(st.tuples(line, st.sampled_from(BREAKS)), min_size=1, max_size=30).map(
    lambda parts: "".join(a + b for a, b in parts))
pages = st.one_of(page, page.map(str.upper))


@pytest.fixture(scope="module")
def generated_pages() -> list[str]:
    from training import corpus

    sets = corpus.build(0, 60, seed=11, with_train=False)
    return [p["text"] for name in sorted(sets) for p in sets[name]]


@pytest.fixture(scope="module")
def all_pages(generated_pages) -> list[str]:
    gold = SEEDS / "gold.jsonl"
    seeds = [json.loads(l)["text"] for l in gold.read_text(encoding="utf-8").splitlines() if l.strip()] \
        if gold.exists() else []
    return seeds + generated_pages


def reference_inputs(splitter, text):
    """Lines and model outputs of a page as the code before issue 7 computed them."""
    lines = split_lines(text)
    flat = [l.text for l in lines]
    codes, probs = [], np.zeros(len(flat), dtype=np.float32)
    for i, t in enumerate(flat):
        key = ref.for_langid(t)
        if not key:
            codes.append("und")
            continue
        (lab,), (p,) = splitter.lid._model.predict(key, k=1)
        code = lab[len("__label__"):]
        codes.append({"nb": "no", "nn": "no"}.get(code, code))
        probs[i] = min(float(p), 1.0)
    tm = np.zeros((len(flat), 3), dtype=np.float32)
    for i, t in enumerate(flat):
        labs, ps = splitter.model.textmodel._model.predict(ref.for_textmodel(t), k=3)
        for lab, p in zip(labs, ps):
            tm[i, LABELS.index(lab[len("__label__"):])] = p
    return lines, codes, probs, np.clip(tm, 0, 1)


def reference_spans(splitter, texts):
    """classify_many as it was: per-line features (the trees: tests/test_forest.py)."""
    rows, inputs = [], []
    for text in texts:
        lines, codes, probs, tm = reference_inputs(splitter, text)
        inputs.append((lines, codes, probs))
        if lines:
            main = main_language(codes, [len(l.text) for l in lines])
            base = ref.base_features(lines, len(text), codes, probs, main, tm)
            rows.append(ref.context_features(base))
    if not rows:
        return [[] for _ in texts]
    X = np.vstack(rows)
    ptr = np.concatenate([[0], np.cumsum([len(l) for l, _, _ in inputs if l])])
    clf = splitter.model.classifier
    P1 = clf.first.predict_proba(X, len(LABELS))
    second = np.vstack([ref.second_pass_features(X[a:b], P1[a:b]) for a, b in zip(ptr[:-1], ptr[1:])])
    P = clf.second.predict_proba(second, len(LABELS))
    out, k = [], 0
    for lines, codes, probs in inputs:
        spans = []
        for j, l in enumerate(lines):
            best = int(np.argmax(P[k]))
            spans.append(Span(l.start, l.end, LABELS[best], float(P[k, best]), codes[j], float(probs[j])))
            k += 1
        out.append(spans)
    return out


def test_views_of_lines_equal_the_per_line_code(all_pages):
    flat = [l.text for t in all_pages for l in split_lines(t)]
    assert textnorm.for_langid_many(flat) == [ref.for_langid(t) for t in flat]
    assert textnorm.for_textmodel_many(flat) == [ref.for_textmodel(t) for t in flat]
    assert textnorm.repetition_keys(flat) == [ref.repetition_key(t) for t in flat]


@settings(max_examples=200)
@given(lines=st.lists(st.one_of(line, st.text(any_char, max_size=40)), min_size=1, max_size=20))
def test_views_of_hostile_lines_equal_the_per_line_code(lines):
    assert textnorm.for_langid_many(lines) == [ref.for_langid(t) for t in lines]
    assert textnorm.for_textmodel_many(lines) == [ref.for_textmodel(t) for t in lines]
    assert textnorm.repetition_keys(lines) == [ref.repetition_key(t) for t in lines]


def check_features(splitter, text):
    lines, codes, probs, tm = reference_inputs(splitter, text)
    if not lines:
        return
    main = main_language(codes, [len(l.text) for l in lines])
    want = ref.base_features(lines, len(text), codes, probs, main, tm)
    got = features.base_features(lines, len(text), codes, probs, main, tm)
    assert got.dtype == want.dtype
    bad = np.unique(np.nonzero(got != want)[1])
    assert not len(bad), [features.BASE_NAMES[c] for c in bad]


def test_features_equal_the_per_line_code(splitter, all_pages):
    for text in all_pages:
        check_features(splitter, text)


@settings(max_examples=100)
@given(text=pages)
def test_features_of_hostile_pages_equal_the_per_line_code(splitter, text):
    check_features(splitter, text)


def test_features_of_lines_that_cannot_be_joined(splitter):
    # Lines holding "\n" never come from split_lines, but base_features takes any Line.
    lines = [split_lines("ONE two\n2024")[0].__class__(0, 9, "a\nB 2024.", True, False),
             split_lines("x")[0].__class__(10, 15, "C (c)", False, True)]
    tm = np.full((2, 3), 1 / 3, dtype=np.float32)
    probs = np.array([0.5, 0.9], dtype=np.float32)
    want = ref.base_features(lines, 15, ["en", "de"], probs, "en", tm)
    assert np.array_equal(features.base_features(lines, 15, ["en", "de"], probs, "en", tm), want)


def test_spans_equal_the_code_before_issue_7(splitter, all_pages):
    assert splitter.classify_many(all_pages) == reference_spans(splitter, all_pages)
    # One page at a time, and again with every line's answers now coming from the caches.
    assert [splitter.classify(t) for t in all_pages[:40]] == reference_spans(splitter, all_pages[:40])


@settings(max_examples=30)
@given(batch=st.lists(pages, min_size=1, max_size=8))
def test_spans_of_hostile_pages_equal_the_code_before_issue_7(splitter, batch):
    assert splitter.classify_many(batch) == reference_spans(splitter, batch)


def test_line_cache_is_bounded_and_skips_long_keys():
    cache = LineCache(max_entries=3, max_key_chars=5)
    calls = []

    def compute(keys):
        calls.append(list(keys))
        return [k.upper() for k in keys]

    assert cache.get_many(["a", "b", "long key"], compute) == ["A", "B", "LONG KEY"]
    assert len(cache) == 2  # "long key" is too long to keep
    assert cache.get_many(["a", "c"], compute) == ["A", "C"]
    assert calls[-1] == ["c"]
    assert cache.get_many(["d", "e"], compute) == ["D", "E"]  # would pass 3 entries: emptied first
    assert len(cache) <= 3
