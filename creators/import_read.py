"""Reading a CSV file as physical lines in the encoding it was saved in, one bad byte costing
one row: the creators importer's first layer (the detection itself is common.csv's)."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from common.csv import SAMPLE_BYTES, csv_encoding_detect


class _LineDecoder:
    """Decodes physical lines one by one, so one bad byte costs one row, not the file.

    `encoding` is what `csv_encoding_detect` found in the first 64 KB. A file that starts in
    plain ASCII and turns out to be Windows-1252 further down (accents only after line 1,000)
    is switched to Windows-1252 at its first non-UTF-8 line, as long as no UTF-8 accent was
    seen before it; after that a line that does not decode is a bad line."""

    def __init__(self, file: IO[bytes] | str | Path) -> None:
        self._file = file
        self.bad_lines: set[int] = set()
        self.nul_lines: set[int] = set()  # lines with a NUL byte, which PostgreSQL cannot store
        stream = _binary(file)
        self.encoding = csv_encoding_detect(stream.read(SAMPLE_BYTES))
        stream.seek(0)
        self._stream = stream

    def close(self) -> None:
        """Close the file if this decoder opened it (a path); a caller's file stays open."""
        if isinstance(self._file, str | Path):
            self._stream.close()

    def __iter__(self) -> Iterator[str]:
        if self.encoding.startswith("utf-16"):
            yield from self._wide_lines()
        else:
            yield from self._byte_lines()

    def _byte_lines(self) -> Iterator[str]:
        bad_lines, nul_lines = self.bad_lines, self.nul_lines
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        undecided = encoding == "utf-8"  # all ASCII so far: could still be Windows-1252
        for number, raw in enumerate(self._stream, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]  # Excel's byte-order mark
            if b"\x00" in raw:
                nul_lines.add(number)
            if undecided and not raw.isascii():
                undecided = False
                try:
                    raw.decode()
                except UnicodeDecodeError:
                    encoding = self.encoding = "cp1252"
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode(encoding, errors="replace")

    def _wide_lines(self) -> Iterator[str]:
        text = io.TextIOWrapper(self._stream, encoding=self.encoding, errors="replace", newline="")
        for number, line in enumerate(text, start=1):
            if number == 1:
                line = line.lstrip("\ufeff")
            if "\x00" in line:
                self.nul_lines.add(number)
            if "\ufffd" in line:
                self.bad_lines.add(number)
            yield line
        text.detach()


def _binary(file: IO[bytes] | str | Path) -> IO[bytes]:
    """A seekable binary stream over a path, an upload (Django's UploadedFile wraps the real
    file object) or a file object; text and unseekable streams are read into memory."""
    if isinstance(file, str | Path):
        return open(file, "rb")  # closed by _LineDecoder.close()
    inner = getattr(file, "file", file)
    if hasattr(inner, "seekable") and inner.seekable():
        inner.seek(0)
        if isinstance(inner, io.TextIOBase):
            return io.BytesIO(inner.read().encode())
        return inner
    content = inner.read()
    return io.BytesIO(content.encode() if isinstance(content, str) else content)
