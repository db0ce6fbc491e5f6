"""Segmentation: every non-whitespace character lands in exactly one line."""

from langsplit.segment import split_lines


def covered(text: str) -> str:
    """The characters of text that no line covers."""
    mask = [False] * len(text)
    for line in split_lines(text):
        for i in range(line.start, line.end):
            assert not mask[i], "lines overlap"
            mask[i] = True
    return "".join(ch for ch, m in zip(text, mask) if not m)


def test_lines_are_stripped_and_in_order():
    lines = split_lines("  Title  \r\n\r\nFirst paragraph.\nSecond one.")
    assert [l.text for l in lines] == ["Title", "First paragraph.", "Second one."]
    assert [l.blank_before for l in lines] == [True, True, False]
    assert [l.blank_after for l in lines] == [True, False, True]


def test_offsets_point_into_the_text():
    text = "a\rb\u2028c\x0cd\r\n\ne"
    for line in split_lines(text):
        assert text[line.start:line.end] == line.text


def test_only_whitespace_is_left_out():
    for text in ["", " \n\t\n", "no newline at end", "x\n", "\r\n\r\n", "é\u00a0ü\n\u3000漢字 ",
                 "mixed العربية and English\nРусский", "a" * 100_000, "\x00\x01 control"]:
        assert covered(text).strip() == ""


def test_empty_and_blank_text_have_no_lines():
    assert split_lines("") == []
    assert split_lines(" \n \r\n\t") == []
