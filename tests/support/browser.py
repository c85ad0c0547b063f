"""Screenshots of browser tests, one folder per test: `shot(page, "signed-in")` saves
`var/artifacts/screenshots/<test-name>/<nn>-signed-in.png`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.worker import ROOT

SCREENSHOTS = ROOT / "var" / "artifacts" / "screenshots"


@dataclass
class _Shots:
    directory: Path
    taken: int = 0


_SHOTS: dict[int, _Shots] = {}


def shots_register(page, directory: Path) -> None:
    _SHOTS[id(page)] = _Shots(directory)


def shots_unregister(page) -> None:
    _SHOTS.pop(id(page), None)


def shot(page, step: str) -> Path:
    """Save a full-page screenshot as `<nn>-<step>.png` in the test's artifacts folder."""
    shots = _SHOTS[id(page)]
    shots.taken += 1
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-")
    path = shots.directory / f"{shots.taken:02d}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
