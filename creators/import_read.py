"""Reading a CSV file as physical lines, one bad byte costing one row: the layer the creators,
metrics and playbook importers share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO


class _LineDecoder:
    """Decodes physical lines one by one, so one bad byte costs one row, not the file."""

    def __init__(self, raw_lines: Iterable[bytes]) -> None:
        self._raw_lines = raw_lines
        self.bad_lines: set[int] = set()
        self.nul_lines: set[int] = set()  # lines with a NUL byte, which PostgreSQL cannot store

    def __iter__(self) -> Iterator[str]:
        bad_lines, nul_lines = self.bad_lines, self.nul_lines
        for number, raw in enumerate(self._raw_lines, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # Excel's byte-order mark
            if b"\x00" in raw:
                nul_lines.add(number)
            try:
                yield raw.decode()
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode(errors="replace")


def _raw_lines(file: IO[bytes] | str | Path) -> Iterator[bytes]:
    if isinstance(file, str | Path):
        with open(file, "rb") as handle:
            yield from handle
        return
    inner = getattr(file, "file", file)  # Django's UploadedFile wraps the real file object
    if hasattr(inner, "seek"):
        inner.seek(0)
    for raw in inner:
        yield raw if isinstance(raw, bytes) else raw.encode()
