"""Property tests of the span contract on arbitrary text (issue 8).

Every input, however hostile (any code point including NUL, controls, lone surrogates,
bidi controls, combining marks, emoji, every line break str.splitlines knows):
spans are ordered and disjoint, every non-whitespace character lies in exactly one span, spans
have no leading or trailing whitespace, labels are in LABELS, scores are in [0, 1], ``clean`` is
the kept spans joined with newlines, results are deterministic and the same from ``classify``
and ``classify_many``.

Most inputs go through ``test_batches_hold_the_contract``: each example is a batch of
BATCH texts checked with one ``classify_many`` call, so that the default ("ci") profile checks
more than 10,000 generated inputs in well under a minute. ``HYPOTHESIS_PROFILE=long`` runs
20 times as many; ``scripts/soak.py`` runs a million.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from contract import BREAKS, LINES, SPECIAL, check_page, kept
from langsplit import LABELS
from langsplit.segment import split_lines
from langsplit.textnorm import for_langid, for_textmodel, repetition_key

N = settings.default.max_examples  # 100 in the "ci" profile, 2000 in "long"
BATCH = 50

# All of Unicode: every category, surrogates (Cs) and controls (Cc) included.
any_char = st.characters(exclude_categories=())
chars = st.one_of(any_char, st.sampled_from(SPECIAL))
any_text = st.text(chars, max_size=300)
word = st.one_of(st.sampled_from(LINES), st.text(chars, max_size=8), st.sampled_from(SPECIAL))
line = st.lists(word, max_size=12).map(" ".join)
page = st.lists(st.tuples(line, st.sampled_from(BREAKS)), max_size=30).map(
    lambda parts: "".join(a + b for a, b in parts))
whitespace = st.text(st.sampled_from([c for c in SPECIAL if c.isspace()] + list(" \t\u3000")), max_size=50)
texts = st.one_of(any_text, page, page.map(str.upper), whitespace)
keeps = st.sets(st.sampled_from(LABELS), min_size=1).map(lambda s: tuple(sorted(s)))


def count(generated, name: str, n: int) -> None:
    generated[name] = generated.get(name, 0) + n


@settings(max_examples=N)
@given(text=texts, keep=keeps)
def test_one_page_holds_the_contract(splitter, generated, text, keep):
    spans = splitter.classify(text)
    check_page(text, spans)
    assert splitter.classify(text) == spans  # deterministic
    assert splitter.clean(text, keep) == kept(text, spans, keep)
    count(generated, "one_page", 1)


@settings(max_examples=2 * N)
@given(batch=st.lists(texts, min_size=BATCH, max_size=BATCH), data=st.data())
def test_batches_hold_the_contract(splitter, generated, batch, data):
    pages = splitter.classify_many(batch)
    assert len(pages) == len(batch)
    for text, spans in zip(batch, pages):
        check_page(text, spans)
    # A page's spans depend on that page alone: not on its batch, its place or a second run.
    assert splitter.classify_many(batch[:-11:-1]) == pages[:-11:-1]  # the last 10, reversed
    k = data.draw(st.integers(0, BATCH - 1), label="page checked alone")
    assert splitter.classify(batch[k]) == pages[k]
    keep = data.draw(keeps, label="keep")
    assert splitter.clean(batch[k], keep) == kept(batch[k], pages[k], keep)
    count(generated, "batches", len(batch))


@settings(max_examples=N // 2)
@given(batch=st.lists(texts, max_size=8))
def test_classify_many_equals_classify_one_by_one(splitter, generated, batch):
    assert splitter.classify_many(batch) == [splitter.classify(t) for t in batch]
    count(generated, "many_vs_one", len(batch))


@settings(max_examples=N)
@given(text=whitespace)
def test_whitespace_only_has_no_spans(splitter, generated, text):
    assert splitter.classify(text) == []
    assert splitter.clean(text) == ""
    count(generated, "whitespace", 1)


@settings(max_examples=5 * N)
@given(text=texts)
def test_lines_and_their_normalised_views(text):
    """The cheap layers under the model, on many more inputs: segmentation and text views."""
    lines = split_lines(text)
    prev = 0
    for ln in lines:
        assert text[ln.start:ln.end] == ln.text and ln.text.strip() == ln.text and ln.text
        assert text[prev:ln.start].isspace() or prev == ln.start
        prev = ln.end
        for view in (for_langid(ln.text), for_textmodel(ln.text)):
            view.encode("utf-8")  # fastText needs valid UTF-8: no lone surrogates left
            assert "\n" not in view and view == view.strip()
        repetition_key(ln.text)
    assert not text[prev:].strip()
