"""Reading input text: files, stdin and JSONL records, decoded safely or refused with a reason.

Decoding never guesses quietly: a BOM (UTF-8, UTF-16, UTF-32) is trusted, anything else is
decoded as UTF-8 (or the encoding the caller names) strictly, and text that decodes but
still looks wrong (NUL bytes, control characters, C1 codes typical of cp1252 read as
latin-1) is refused with a message that says what to do.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE = ("utf-16", "utf-32")  # encodings in which NUL bytes are normal
# C0 controls other than whitespace and ESC (terminal colours are text, of a sort).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_C1 = re.compile("[\x80-\x9f]")
_CONTROL_SHARE = 0.01  # more C0 controls than this and it is not text


class InputError(Exception):
    """An input that cannot be used as text. ``name`` says which, ``reason`` why."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def check_encoding(encoding: str) -> str:
    """The canonical codec name of ``encoding``; ``LookupError`` if Python does not know it."""
    return codecs.lookup(encoding).name


def _bom_encoding(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode ``data`` (the content of ``name``) to text, or raise ``InputError``.

    A BOM decides the encoding; without one, ``encoding`` (default UTF-8) is used strictly.
    """
    enc = _bom_encoding(data)
    if enc is None:
        enc = check_encoding(encoding) if encoding else "utf-8"
        if enc == "utf-8":
            enc = "utf-8-sig"
        if not enc.startswith(_WIDE) and b"\x00" in data:
            raise InputError(name, "looks binary (NUL bytes); langsplit reads text")
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        shown = enc.removesuffix("-sig").upper()
        hint = "pass --encoding (e.g. latin-1, cp1252)" if shown == "UTF-8" else "check --encoding"
        raise InputError(name, f"not valid {shown} (byte {exc.start}); {hint} or convert it to UTF-8 first") from None
    _check_decoded(text, name, enc)
    return text


def _check_decoded(text: str, name: str, enc: str) -> None:
    # Latin-1 (and friends) accept every byte, so a wrong guess only shows in what comes out;
    # in UTF-* text a stray C1 code (U+0085 is a line break) is rare but legitimate.
    c1 = None if enc.startswith("utf") else _C1.search(text)
    if c1 is not None:
        raise InputError(name, f"decoded as {enc} it holds the control code U+{ord(c1.group()):04X}, so that "
                               "is probably the wrong encoding (cp1252 text read as latin-1?)")
    if not _CONTROLS.search(text):
        return
    controls = len(_CONTROLS.findall(text))
    if controls > _CONTROL_SHARE * len(text):
        raise InputError(name, f"looks binary ({controls} control characters); langsplit reads text")


def read_bytes(source: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a file, or of stdin for ``"-"``; ``InputError`` if unreadable or over ``max_bytes``."""
    name = display_name(source)
    if str(source) == "-":
        data = sys.stdin.buffer.read(-1 if not max_bytes else max_bytes + 1)
    else:
        try:
            # Check the size first so that a huge file is refused without being read.
            size = os.stat(source).st_size
            if max_bytes and size > max_bytes:
                raise InputError(name, f"larger than --max-bytes ({size:,} > {max_bytes:,} bytes)")
            with open(source, "rb") as f:
                data = f.read(-1 if not max_bytes else max_bytes + 1)
        except OSError as exc:
            raise InputError(name, f"cannot read ({exc.strerror or exc})") from None
    if max_bytes and len(data) > max_bytes:
        raise InputError(name, f"larger than --max-bytes (more than {max_bytes:,} bytes)")
    return data


def read_text(source: str | Path, encoding: str | None = None, max_bytes: int | None = None) -> str:
    """Read and decode a file, or stdin for ``"-"``; ``InputError`` names the input and the reason."""
    return decode(read_bytes(source, max_bytes), display_name(source), encoding)


def display_name(source: str | Path) -> str:
    """How an input is named in messages."""
    return "<stdin>" if str(source) == "-" else str(source)


@dataclass(frozen=True)
class Record:
    """One JSONL record: its line number, id (or ``None``), text and the whole parsed object."""

    line: int
    id: object
    text: str
    data: dict
    nbytes: int


def iter_jsonl(source: str | Path, text_field: str = "text", id_field: str = "id",
               encoding: str | None = None, max_bytes: int | None = None) -> Iterator[Record | InputError]:
    """Stream the records of a JSONL file (or stdin for ``"-"``) in order, in constant memory.

    A bad line (not JSON, not an object, no string ``text_field``, over ``max_bytes``) is
    yielded as an ``InputError`` named ``file:line`` and the stream goes on. An input that
    cannot be opened or decoded at all raises ``InputError``.
    """
    name = display_name(source)
    owned = str(source) != "-"
    try:
        stream: BinaryIO = open(source, "rb") if owned else sys.stdin.buffer  # noqa: SIM115
    except OSError as exc:
        raise InputError(name, f"cannot read ({exc.strerror or exc})") from None
    if not hasattr(stream, "peek"):  # e.g. a BytesIO standing in for stdin in tests
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    try:
        for lineno, line, nbytes in _jsonl_lines(stream, name, encoding, max_bytes):
            where = f"{name}:{lineno}"
            if isinstance(line, InputError):
                yield line
                continue
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputError(where, f"not JSON ({exc.msg} at column {exc.colno})")
                continue
            except (ValueError, RecursionError) as exc:
                # Valid JSON syntax that Python refuses: an integer of more than 4300 digits
                # (ValueError), or arrays/objects nested too deeply (RecursionError).
                why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
                yield InputError(where, f"not usable JSON ({why})")
                continue
            if not isinstance(data, dict):
                yield InputError(where, f"a JSON {type(data).__name__}, not an object")
                continue
            rid = data.get(id_field)
            if rid is not None:
                where = f"{where} (id {rid})"
            text = data.get(text_field)
            if not isinstance(text, str):
                what = "no" if text is None else f"a non-string ({type(text).__name__})"
                yield InputError(where, f"{what} {text_field!r} field")
                continue
            yield Record(lineno, rid, text, data, nbytes)
    except OSError as exc:
        raise InputError(name, f"cannot read ({exc.strerror or exc})") from None
    finally:
        if owned:
            stream.close()


def _jsonl_lines(stream: BinaryIO, name: str, encoding: str | None,
                 max_bytes: int | None) -> Iterator[tuple[int, str | InputError, int]]:
    """(line number, decoded line or error, size in bytes) for each line of a JSONL stream."""
    peek = stream.peek(4)[:4]  # type: ignore[attr-defined]
    enc = _bom_encoding(peek) or (check_encoding(encoding) if encoding else "utf-8")
    if enc.startswith(_WIDE):
        # Lines cannot be cut on b"\n" in UTF-16/32; let the codec do it, and give up at the
        # first bad byte, since nothing after it can be trusted to be aligned.
        text = io.TextIOWrapper(stream, encoding=enc, newline="\n")
        lineno = 0
        try:
            for lineno, line in enumerate(text, 1):
                size = len(line.encode(enc))
                if max_bytes and size > max_bytes:
                    yield lineno, InputError(f"{name}:{lineno}", f"record larger than --max-bytes "
                                                                 f"({size:,} > {max_bytes:,} bytes)"), size
                else:
                    yield lineno, line, size
        except UnicodeDecodeError as exc:
            raise InputError(name, f"not valid {enc.upper()} after line {lineno} ({exc.reason})") from None
        finally:
            text.detach()
        return
    if enc == "utf-8":
        enc = "utf-8-sig"
    limit = max_bytes + 1 if max_bytes else -1
    lineno = 0
    while True:
        raw = stream.readline(limit)
        if not raw:
            return
        lineno += 1
        where = f"{name}:{lineno}"
        if max_bytes and len(raw) > max_bytes:
            size = len(raw)
            while not raw.endswith(b"\n"):  # skip the rest of the long line without holding it
                raw = stream.readline(1 << 20)
                if not raw:
                    break
                size += len(raw)
            yield lineno, InputError(where, f"record larger than --max-bytes ({size:,} > {max_bytes:,} bytes)"), size
            continue
        if lineno > 1 and enc == "utf-8-sig":
            enc = "utf-8"  # a BOM is only a BOM at the start of the file
        try:
            yield lineno, raw.decode(enc), len(raw)
        except UnicodeDecodeError as exc:
            yield lineno, InputError(where, f"not valid {enc.removesuffix('-sig').upper()} (byte {exc.start} "
                                            "of the line); check --encoding"), len(raw)
