"""The public API: spans cover the text, and clean() returns the kept spans."""

import dataclasses

import pytest

import langsplit

PAGES = {
    "empty": "",
    "whitespace": "  \n\t\r\n \u00a0 \n",
    "crlf": "Headline of the story\r\n\r\nFirst paragraph of the story, with a full sentence.\r\n"
            "Subscribe to continue reading\r\n",
    "no_trailing_newline": "A title\n\nA paragraph that ends the file without a newline.",
    "huge_line": "word " * 200_000,
    "mixed_scripts": "Путин и Ким подписали договор.\n普京与金正恩签署条约。\nبوتين وكيم يوقعان معاهدة\nLog in",
    "control_chars": "a\x00b\x01c\n\x0c\nfoo\u2028bar\u2029baz\x85qux",
    "emoji_rtl": "🔥 Breaking 🔥\n\u202eoverride\u202c text\nשלום עולם",
}


def check_spans(text: str, spans: list[langsplit.Span]) -> None:
    covered = [False] * len(text)
    prev_end = 0
    for s in spans:
        assert prev_end <= s.start < s.end <= len(text)
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        assert s.label in langsplit.LABELS
        assert 0.0 <= s.score <= 1.0 and 0.0 <= s.lang_score <= 1.0
        assert isinstance(s.lang, str) and s.lang
        for i in range(s.start, s.end):
            covered[i] = True
        prev_end = s.end
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_non_space_character_is_in_exactly_one_span(splitter, name):
    text = PAGES[name]
    check_spans(text, splitter.classify(text))


def test_clean_is_the_body_spans_joined(splitter):
    text = PAGES["crlf"]
    spans = splitter.classify(text)
    body = [text[s.start:s.end] for s in spans if s.label == "body"]
    assert splitter.clean(text) == "\n".join(body)
    everything = splitter.clean(text, keep=("body", "chrome", "teaser"))
    assert everything == "\n".join(text[s.start:s.end] for s in spans)


def test_classify_many_equals_classify_one_by_one(splitter):
    texts = list(PAGES.values())
    assert splitter.classify_many(texts) == [splitter.classify(t) for t in texts]


def test_module_functions_use_the_packaged_model(splitter):
    text = PAGES["no_trailing_newline"]
    assert langsplit.classify(text) == splitter.classify(text)
    assert langsplit.clean(text) == splitter.clean(text)
    assert langsplit.classify_many([text]) == [splitter.classify(text)]


def test_spans_are_frozen(splitter):
    span = splitter.classify("Some text.")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.label = "chrome"  # type: ignore[misc]


def test_norwegian_is_folded_into_no(splitter):
    spans = splitter.classify("Regjeringen la fram statsbudsjettet for neste år i Stortinget i dag.")
    assert spans[0].lang == "no"


def test_bad_arguments_are_refused(splitter):
    with pytest.raises(TypeError, match="decode bytes"):
        splitter.classify(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown label"):
        splitter.clean("text", keep=("article",))
