"""The fast paths of issue 7 compute exactly what the plain per-line code computed.

The packaged model was trained on features from the per-line loops kept in
``reference_impl.py``; the vectorised code must give the same feature matrices (bit for
bit), the same normalised views of lines for both fastText models, the same tree-ensemble
probabilities, and so the same spans.  Pages come from the training generator (several
languages, families and locales), the seed pages, and hypothesis's hostile text.
"""

import json
import os

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import reference_impl as ref
from conftest import SEEDS
from contract import BREAKS, LINES, SPECIAL
from langsplit import features, speedups, textnorm
from langsplit.langid import main_language
from langsplit.segment import Line, split_lines
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


# Pieces of years, dates, read times and addresses, near misses and word characters around them.
pattern_piece = st.sampled_from(["19", "20", "2024", "1", "12", "123", "7", ".", "/", "-", ":", "@", "www.", "WWW.",
                                 "http://", "https://", "com", ".co.uk", ".de", "no", "x", "_", " ", "\xa0", "\t",
                                 "min", "MIN", "Мин", "λεπτ", "ΛΕΠΤΆ", "分", "٣", "²", "é", "\u2028", "{", "}", "{{",
                                 "}}", "%", "[[", "]]", "a", "(c)", "(C)", "(", ")", "c", "©"])


@settings(max_examples=300)
@given(lines=st.lists(st.lists(pattern_piece, max_size=10).map("".join), min_size=1, max_size=8))
@example(lines=["x12:20", "a2024", "_1999 ", "x12.05.2023", "é2024-01-02", "12:20x"])  # a word runs on: none
@example(lines=["(12:20)", "2024.", "1.2.24", "x.com", "a@b", "..com", " @b", "5 MIN", "12\xa0min", "www."])
@example(lines=["{{a}", "{a_b}", "{}", "%x%", "% %", "[[ ]]", "[[x]", "(c)", "(C)", "( c)", "©"])
def test_fast_patterns_find_the_lines_the_plain_ones_find(lines):
    text = "\n".join(lines)
    starts = np.cumsum([0] + [len(l) + 1 for l in lines[:-1]])
    searching = lambda pattern: lambda line: pattern.search(line) is not None  # noqa: E731
    for fast, plain in ((features._URL_JOINED, searching(features._URL)),
                        (features._YEAR_JOINED, searching(features._YEAR)),
                        (features._DATE_JOINED, searching(features._DATE)),
                        (features._READ_TIME_JOINED, searching(features._READ_TIME)),
                        (features._PLACEHOLDER_JOINED, searching(features._PLACEHOLDER)),
                        (features._COPYRIGHT_JOINED, lambda line: "©" in line or "(c)" in line.lower())):
        want = [plain(l) for l in lines]
        assert features._lines_matching(fast, text, starts, len(lines)).tolist() == want, fast


@settings(max_examples=200)
@given(lines=st.lists(st.one_of(line, st.text(any_char, max_size=40), st.text("aAbB_1\n\u6771\U0001f525 ", max_size=70)),
                      min_size=1, max_size=12))
@example(lines=["abcd abcde abcd_ abcde", "ABCD\nabcd " + " ".join(map(chr, range(0x4e00, 0x4e00 + 3000)))])
@example(lines=["x" * 100 + "y " + "x" * 101, "x" * 100 + "y", "\u6771" * 90 + "z " + "\u6771" * 90 + "y"])  # long words
def test_word_ids_tell_words_apart_as_their_text_does(lines):
    # The first _MAX_WORDS matches of _WORD in each line, and one id per distinct word.
    keys = [l.lower() for l in lines]
    line, ids = features._line_words(keys)
    words = [w for k in keys for w in features._WORD.findall(k)[:features._MAX_WORDS]]
    assert line.tolist() == [i for i, k in enumerate(keys) for _ in features._WORD.findall(k)[:features._MAX_WORDS]]
    assert len({(i, w) for i, w in zip(ids.tolist(), words)}) == len(set(ids.tolist())) == len(set(words))


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


# ---- batch features: many pages at once equal the pages one by one ------------------------------


def page_by_page(pages, text_lens, codes, probs, tm):
    """The first-pass rows of each non-empty page by the one-page reference code, stacked, and
    the row offsets of those pages."""
    rows, ptr, a = [], [0], 0
    for lines, text_len in zip(pages, text_lens):
        b = a + len(lines)
        if lines:
            main = main_language(codes[a:b], [len(l.text) for l in lines])
            rows.append(ref.context_features(ref.base_features(lines, text_len, codes[a:b], probs[a:b], main, tm[a:b])))
            ptr.append(ptr[-1] + len(lines))
        a = b
    return np.vstack(rows), np.array(ptr)


def check_batch(pages, text_lens, codes, probs, tm, P=None):
    """batch_matrix and second_pass_batch equal the one-page reference code, bit for bit.

    P: first-pass beliefs for the second pass (random ones when None)."""
    want, ptr = page_by_page(pages, text_lens, codes, probs, tm)
    got = features.batch_matrix(pages, text_lens, codes, probs, tm)
    assert got.dtype == want.dtype == np.float32
    assert np.array_equal(got, want), np.unique(np.nonzero(got != want)[1])
    if P is None:
        P = np.random.default_rng(len(want)).dirichlet([1, 1, 1], size=len(want)).astype(np.float32)
    want2 = np.vstack([ref.second_pass_features(want[a:b], P[a:b]) for a, b in zip(ptr[:-1], ptr[1:])])
    got2 = features.second_pass_batch(got, P, ptr)
    assert got2.dtype == want2.dtype == np.float32
    assert np.array_equal(got2, want2), np.unique(np.nonzero(got2 != want2)[1])


def model_inputs(splitter, texts):
    pages = [split_lines(t) for t in texts]
    flat = [l.text for lines in pages for l in lines]
    codes, probs = splitter.lid.predict(flat)
    return pages, [len(t) for t in texts], codes, probs, splitter.model.textmodel.predict_proba(flat)


def test_batch_features_equal_the_page_by_page_code(splitter, all_pages):
    inputs = model_inputs(splitter, all_pages)
    check_batch(*inputs)
    # and with the first pass's own beliefs, as classify_many sees them
    X = features.batch_matrix(*inputs)
    check_batch(*inputs, P=splitter.model.classifier.first.predict_proba(X, len(LABELS)))


def test_batch_of_empty_one_line_and_letterless_pages(splitter, all_pages):
    texts = ["", "Just one line", "12:30\n\n— — —\n|||\n2024", " \n\t\n", all_pages[0], "",
             "© 2024\n\n© 2024\n…", "ΣΑΣ", all_pages[1], "\ud800\n\n\udfff 5 min"]
    check_batch(*model_inputs(splitter, texts))


def test_batch_features_in_parts_equal_one_part(splitter, all_pages, monkeypatch):
    # A batch of many characters is computed a few pages at a time, to bound its memory.
    monkeypatch.setattr(features, "_PART_CHARS", 500)
    check_batch(*model_inputs(splitter, all_pages[:12] + [""] + all_pages[12:20]))


def test_batch_with_lines_that_cannot_be_joined(splitter, all_pages):
    pages, text_lens, codes, probs, tm = model_inputs(splitter, all_pages[:3])
    odd = [Line(0, 9, "a\nB 2024.", True, False), Line(10, 15, "C (c)", False, True)]
    pages.insert(1, odd)
    text_lens.insert(1, 15)
    a = len(pages[0])
    codes = codes[:a] + ["en", "de"] + codes[a:]
    probs = np.insert(probs, a, [0.5, 0.9]).astype(np.float32)
    tm = np.insert(tm, a, np.full((2, 3), 1 / 3, dtype=np.float32), axis=0)
    check_batch(pages, text_lens, codes, probs, tm)


def test_main_language_share_of_huge_pages_rounds_as_the_per_line_loop():
    # Past 2^24 characters float32 sums round: those pages are summed as the loop did.
    nchars = np.array([2**24, 3, 1, 7, 2**23 + 1, 2**23 + 3, 5, 16_777_217, 1], dtype=np.int64)
    is_main = np.array([1, 1, 0, 1, 1, 0, 1, 1, 1], dtype=bool)
    ptr = np.array([0, 4, 7, 8, 9])
    got = features._main_shares(nchars, is_main, ptr)
    for k, (a, b) in enumerate(zip(ptr[:-1], ptr[1:])):
        chars = nchars[a:b].astype(np.float32)
        main_chars = sum(c for c, m in zip(chars, is_main[a:b]) if m)  # the per-line loop's sum
        assert got[k] == np.float32(float(main_chars / chars.sum()))


def test_segment_sums_and_running_sums_round_as_on_each_page_alone():
    # A page's sum must be ndarray.sum's (pairwise: np.add.reduceat rounds differently) and
    # its running sums must start at its first row; float32 outputs hide most such slips.
    rng = np.random.default_rng(7)
    sizes = np.concatenate([rng.integers(1, 40, 200), [1, 8, 9, 127, 128, 129, 300, 1000, 5000]])
    ptr = np.concatenate([[0], np.cumsum(sizes)])
    x = rng.random(ptr[-1]) ** 8
    pages = [slice(a, b) for a, b in zip(ptr[:-1], ptr[1:])]
    assert np.array_equal(features._segment_sums(x, ptr[:-1], sizes), [x[s].sum() for s in pages])
    assert np.array_equal(features._segment_accumulate(np.add, x, ptr), np.concatenate([np.cumsum(x[s]) for s in pages]))
    assert np.array_equal(features._segment_accumulate(np.maximum, x, ptr),
                          np.concatenate([np.maximum.accumulate(x[s]) for s in pages]))


CODES = ("en", "de", "no", "und", "fr")
beliefs = st.sampled_from([np.float32(v) for v in (0.0, 1e-30, 0.25, 0.5, np.nextafter(np.float32(0.5), 1), 0.75, 1.0)])


@settings(max_examples=60)
@given(texts=st.lists(st.one_of(pages, st.sampled_from(["", " \n ", "x", "—\n|\n12"])), min_size=1, max_size=6),
       data=st.data())
def test_batch_features_of_hostile_pages_equal_the_page_by_page_code(texts, data):
    # Language codes and beliefs drawn freely: main-language ties, "und" pages, body runs
    # of equal mass, pages with no body at all.
    page_lines = [split_lines(t) for t in texts]
    n = sum(map(len, page_lines))
    if not n:
        return
    codes = data.draw(st.lists(st.sampled_from(CODES), min_size=n, max_size=n))
    probs = data.draw(hnp.arrays(np.float32, n, elements=beliefs))
    tm = data.draw(hnp.arrays(np.float32, (n, 3), elements=beliefs))
    P = data.draw(hnp.arrays(np.float32, (n, 3), elements=beliefs))
    check_batch(page_lines, [len(t) for t in texts], codes, probs, tm, P=P)


def test_spans_equal_the_code_before_issue_7(splitter, all_pages):
    assert splitter.classify_many(all_pages) == reference_spans(splitter, all_pages)
    # One page at a time, and again with every line's answers now coming from the caches.
    assert [splitter.classify(t) for t in all_pages[:40]] == reference_spans(splitter, all_pages[:40])


@settings(max_examples=30)
@given(batch=st.lists(pages, min_size=1, max_size=8))
def test_spans_of_hostile_pages_equal_the_code_before_issue_7(splitter, batch):
    assert splitter.classify_many(batch) == reference_spans(splitter, batch)



def _first_seen_numbers(ids) -> list[int]:
    """The grouping of ids, numbered by first appearance: equal for two numberings of one grouping."""
    seen: dict = {}
    return [seen.setdefault(int(i), len(seen)) for i in ids]


@settings(max_examples=60)
@given(words=st.lists(st.one_of(st.text(any_char, min_size=1, max_size=6), st.sampled_from(["ab", "abc", "ab"])),
                      max_size=80))
def test_words_numbered_in_c_group_as_numpy_groups_them(words):
    if not speedups.available():
        pytest.skip("the C loops were not built")
    cps = textnorm.code_points("".join(words))
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    compiled = features._word_ids(cps, starts, lengths)
    os.environ["LANGSPLIT_PURE_NUMPY"] = "1"
    try:
        plain = features._word_ids(cps, starts, lengths)
    finally:
        del os.environ["LANGSPLIT_PURE_NUMPY"]
    assert _first_seen_numbers(compiled) == _first_seen_numbers(plain) == _first_seen_numbers(map(hash, words))


def test_read_time_unit_starts_are_what_the_pattern_can_start_with():
    # features._digit_spots skips lines where no read-time unit can start after a digit.
    import re

    units = features._READ_TIME.pattern.split(r"\s*(?:", 1)[1][:-1].split("|")
    first = re.compile("(?i)[" + "".join(re.escape(u[0]) for u in units) + "]")
    every_char = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert "".join(sorted(first.findall(every_char))) == "".join(sorted(features.READ_TIME_UNIT_STARTS))


def test_spans_are_the_same_with_the_c_loops_and_with_numpy(splitter, all_pages, monkeypatch):
    if not speedups.available():
        pytest.skip("the C loops were not built")
    compiled = splitter.classify_many(all_pages)
    monkeypatch.setenv("LANGSPLIT_PURE_NUMPY", "1")
    assert splitter.classify_many(all_pages) == compiled
