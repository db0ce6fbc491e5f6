"""Reading inputs: what is decoded, what is refused and how the refusal reads."""

import json

import pytest

from langsplit.io import InputError, decode, iter_jsonl, read_bytes, read_text

TEXT = "Café crème — 東京\nSecond line.\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    TEXT.encode("utf-8-sig"),
    TEXT.encode("utf-16"),            # with BOM, native order
    TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]),
    TEXT.encode("utf-32"),
])
def test_utf_with_and_without_bom_decode_to_the_same_text(data):
    assert decode(data, "page.txt") == TEXT


def test_latin1_is_refused_unless_named():
    data = "Café crème".encode("latin-1")
    with pytest.raises(InputError, match=r"page.txt: not valid UTF-8 \(byte 3\); pass --encoding"):
        decode(data, "page.txt")
    assert decode(data, "page.txt", encoding="latin-1") == "Café crème"


def test_cp1252_read_as_latin1_is_caught():
    data = "“Quoted” text".encode("cp1252")
    with pytest.raises(InputError, match="probably the wrong encoding"):
        decode(data, "page.txt", encoding="latin-1")
    assert decode(data, "page.txt", encoding="cp1252") == "“Quoted” text"


def test_binary_is_refused():
    with pytest.raises(InputError, match="looks binary"):
        decode(b"PK\x03\x04\x00\x00" * 50, "archive.zip")
    with pytest.raises(InputError, match="looks binary"):
        decode(bytes(range(1, 32)) * 10, "controls.bin")  # no NUL, but no text either


def test_empty_input_is_empty_text(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert read_text(f) == ""


def test_size_limit_and_unreadable_files(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("x" * 101)
    assert read_bytes(f, max_bytes=101) == b"x" * 101
    with pytest.raises(InputError, match=r"larger than --max-bytes \(101 > 100 bytes\)"):
        read_bytes(f, max_bytes=100)
    with pytest.raises(InputError, match="missing.txt: cannot read"):
        read_bytes(tmp_path / "missing.txt")


def test_jsonl_records_stream_in_order_and_bad_lines_are_reported(tmp_path):
    f = tmp_path / "pages.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "First page", "source": "x"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "d", "body": "no text field"}),
        "",
        json.dumps({"id": "f", "text": "y" * 500}),
        json.dumps({"id": "g", "text": "Last page\u2028with a line separator"}),
    ]
    f.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))
    out = list(iter_jsonl(f, max_bytes=200))
    assert [r.id if not isinstance(r, InputError) else r.reason.split(" (")[0] for r in out] == [
        "a", "not JSON", "a JSON list, not an object", "no 'text' field", "record larger than --max-bytes", "g"]
    assert out[0].data == {"id": "a", "text": "First page", "source": "x"}  # BOM gone, fields kept
    assert out[1].name == f"{f}:2"
    assert out[3].name == f"{f}:4 (id d)"
    assert out[-1].line == 7 and out[-1].text == "Last page\u2028with a line separator"


def test_jsonl_other_fields_and_encodings(tmp_path):
    f = tmp_path / "utf16.jsonl"
    f.write_bytes((json.dumps({"doc": 1, "body": "Größe"}, ensure_ascii=False) + "\n").encode("utf-16"))
    (rec,) = iter_jsonl(f, text_field="body", id_field="doc")
    assert (rec.id, rec.text) == (1, "Größe")
    with pytest.raises(InputError, match="cannot read"):
        list(iter_jsonl(tmp_path / "missing.jsonl"))
