"""The apps' layer order, as README "Layout" writes it, holds for every import.

An app may import only apps below it in `LAYERS`; `config` wires them all together and sits
on top. Imports inside functions count too (hiding one there does not change the graph), as
do `TYPE_CHECKING` blocks. No exception list: a new need for an upward import is a sign the
code belongs elsewhere (or a hook/registry the lower app exposes).
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Bottom first. An app may import itself and anything earlier in this list.
LAYERS = [
    "common",
    "audit",
    "accounts",
    "channels",
    "creators",
    "events",
    "segments",
    "campaigns",
    "tracking",
    "education",
    "programs",
    "conversations",
    "portal",
    "agencies",
    "markets",
    "dashboard",
    "config",
]


def _layer_of_readme() -> list[str]:
    text = (REPO / "README.md").read_text()
    start = text.index("<!-- layers -->")
    end = text.index("<!-- /layers -->")
    return [name.strip(" `") for name in text[start:end].split("\n")[1].split("→")]


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_readme_writes_the_same_order():
    assert _layer_of_readme() == LAYERS


@pytest.mark.parametrize("app", LAYERS)
def test_app_imports_only_apps_below_it(app):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    upward = [
        f"{path.relative_to(REPO)}:{line} imports {target}"
        for path in sorted((REPO / app).rglob("*.py"))
        for line, target in _imports(path)
        if target in LAYERS and target not in allowed
    ]
    assert upward == []


def test_every_app_is_placed():
    apps = {path.parent.name for path in REPO.glob("*/apps.py")}
    assert apps <= set(LAYERS), sorted(apps - set(LAYERS))
