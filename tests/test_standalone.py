"""The repository stands alone: a clone with nothing beside it runs and tests."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Ways code could reach the team's contract folder or anything beside the repository.
OUTSIDE_MARKERS = ("../shared", '"shared" / "contracts"', "parents[3]", "REPO_ROOT.parent")


def test_no_tracked_code_reads_outside_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.sh", "Makefile", "Procfile.dev", "Dockerfile", ".ci/*"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    offenders = [
        f"{path}: {marker}"
        for path in tracked
        if path != "tests/test_standalone.py"
        for marker in OUTSIDE_MARKERS
        if marker in (REPO / path).read_text(errors="replace")
    ]
    assert offenders == []


def test_the_fakes_default_to_the_vendored_contracts():
    from fakes.contracts import DEFAULT_CONTRACTS_DIR, REQUIRED_FILES

    assert DEFAULT_CONTRACTS_DIR == REPO / "contracts"
    for name in REQUIRED_FILES:
        assert (DEFAULT_CONTRACTS_DIR / name).is_file(), name
    assert "Licence" in (DEFAULT_CONTRACTS_DIR / "README.md").read_text()
