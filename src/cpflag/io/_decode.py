"""Text encodings of CSV files: UTF-8 (with or without a BOM), UTF-16 with a
BOM, and -- per line, never for the whole file because of one line -- cp1252,
then latin-1 (issue 17, failure 7).
"""

from __future__ import annotations

import codecs
from typing import Final

from cpflag._errors import InputError

__all__ = ["decode_csv_bytes"]

_UTF8_CHUNK: Final = 1 << 16


def _is_utf8(data: bytes) -> bool:
    """Validate UTF-8 in chunks, so a large file is not copied into a str."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _UTF8_CHUNK):
            chunk = view[start : start + _UTF8_CHUNK]
            # An ASCII chunk with no sequence left open before it decodes to
            # itself: skipping it gives the same answer, and the ASCII test is
            # many times cheaper than decoding (most of a file is ASCII).
            if chunk.tobytes().isascii() and not decoder.getstate()[0]:
                continue
            decoder.decode(chunk, final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode_lines(raw: bytes) -> tuple[bytes, str, tuple[int, ...]]:
    """UTF-8 bytes from a file that is UTF-8 but for some lines.

    Each line that is not UTF-8 is decoded on its own as cp1252 (what Excel on
    Windows writes; latin-1 for the five bytes cp1252 leaves undefined), so one
    cp1252 row never turns the rest of the file into mojibake. Returns the
    bytes, the encoding name and the line numbers decoded so (header = 0).
    """
    lines = raw.split(b"\n")
    fallback: list[int] = []
    for number, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            try:
                lines[number] = line.decode("cp1252").encode("utf-8")
            except UnicodeDecodeError:
                lines[number] = line.decode("latin-1").encode("utf-8")
            fallback.append(number)
    if len(fallback) == len([line for line in lines if not line.isascii()]):
        # No line is UTF-8 beyond ASCII: the whole file is in one 8-bit encoding.
        try:
            return raw.decode("cp1252").encode("utf-8"), "cp1252", ()
        except UnicodeDecodeError:
            return raw.decode("latin-1").encode("utf-8"), "latin-1", ()
    return b"\n".join(lines), "utf-8", tuple(fallback)


def decode_csv_bytes(raw: bytes) -> tuple[bytes, str, tuple[int, ...]]:
    """UTF-8 bytes (without a BOM), the file's encoding, the lines decoded as cp1252."""
    if raw.startswith(codecs.BOM_UTF8):
        body = raw[len(codecs.BOM_UTF8) :]
        if _is_utf8(body):
            return body, "utf-8-sig", ()
        data, _, lines = _decode_lines(body)
        return data, "utf-8-sig", lines
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16").encode("utf-8"), "utf-16", ()
        except UnicodeDecodeError:
            raise InputError("file has a UTF-16 byte-order mark but is not valid UTF-16") from None
    if _is_utf8(raw):
        return raw, "utf-8", ()
    # cp1252 before latin-1: Excel on Windows writes cp1252 (curly quotes, the
    # euro sign); latin-1 accepts any byte, so it is the last resort.
    return _decode_lines(raw)
