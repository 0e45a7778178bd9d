"""The encoding of a text file: UTF-8 or Windows-1252, guessed from its head; a UTF-8 copy for DuckDB."""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

from tpnb.ingest.errors import RejectedFile
from tpnb.ingest.options import DELIMITERS, SourceOptions

CHUNK_BYTES = 16 * 1024 * 1024
HEAD_BYTES = 8 * 1024 * 1024  # what the encoding is guessed from before DuckDB reads the rest


def guess_encoding(path: Path, options: SourceOptions) -> str:
    """The encoding set in the config, else UTF-8 when the head of the file decodes as UTF-8.

    Bytes further on that are not UTF-8 make DuckDB reject their record as
    'INVALID ENCODING'; the file is then read again as Windows-1252.
    """
    if options.encoding:
        return options.encoding
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RejectedFile(f"{path.name}: UTF-16 files are not supported; save as UTF-8 or Windows-1252")
    if b"\x00" in head:
        raise RejectedFile(f"{path.name}: not a text file (it holds NUL bytes); is it binary or UTF-16?")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < HEAD_BYTES)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def all_utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def transcode(path: Path, encoding: str, folder: Path | None = None, prefix: str = "tpnb-") -> Path:
    """Write a UTF-8 copy with LF line ends of a UTF-8, Windows-1252 or Latin-1 file (DuckDB reads UTF-8,
    and one file's mixed CRLF and LF ends stop its reader). A byte-order mark at the start is dropped
    (Excel writes one even before Windows-1252 text). The copy goes to ``folder`` (the database's)."""
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix=prefix, dir=folder)
    # cp1252 leaves 5 bytes undefined; those fall back to Latin-1 so no byte is lost.
    errors = "tpnb_latin1_fallback" if encoding == "cp1252" else "strict"
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as src:
            decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
            first, pending = True, ""
            while chunk := src.read(CHUNK_BYTES):
                if first and chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8) :]
                first = False
                text = pending + decoder.decode(chunk)
                # a CR at the end of a chunk may start a CRLF the next chunk ends
                text, pending = (text[:-1], "\r") if text.endswith("\r") else (text, "")
                out.write(text.replace("\r\n", "\n").encode("utf-8"))
            out.write((pending + decoder.decode(b"", final=True)).replace("\r\n", "\n").encode("utf-8"))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def sniff_delimiter(path: Path, first: str, options: SourceOptions) -> str:
    """The delimiter set in the config, tab for .tsv, else the one most frequent outside quotes in ``first``."""
    if options.delimiter:
        return options.delimiter
    if path.suffix.lower() == ".tsv":
        return "\t"
    outside_quotes = first.split('"')[::2]
    counts = {d: sum(part.count(d) for part in outside_quotes) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def has_mixed_line_ends(head: bytes) -> bool:
    """Whether a file's head ends some lines with CRLF and others with a bare LF."""
    crlf = head.count(b"\r\n")
    return 0 < crlf < head.count(b"\n")


def _latin1_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("tpnb_latin1_fallback", _latin1_fallback)
