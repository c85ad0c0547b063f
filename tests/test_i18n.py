"""The ops UI speaks es-MX by default and English on request, from complete catalogues."""

import re
from pathlib import Path

import pytest
from django.utils import translation

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "es_MX" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every entry, with continued lines joined."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        if "#~" in block:
            continue
        fields = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgstr|msgid_plural|msgstr\[0\])\s+"(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" in fields:
            entries.append((fields["msgid"], fields.get("msgstr", fields.get("msgstr[0]", ""))))
    return entries


def test_spanish_catalogue_translates_every_message():
    entries = _entries(CATALOGUE.read_text())
    assert len(entries) > 300  # the parser read the catalogue
    untranslated = [msgid for msgid, msgstr in entries if msgid and not msgstr]
    assert untranslated == []


def test_login_page_is_spanish_by_default(client, settings):
    settings.LANGUAGE_CODE = "es-mx"
    with translation.override(None):
        response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Iniciar sesión" in response.content.decode()


@pytest.mark.parametrize(("language", "label"), [("en", "Sign in"), ("es-mx", "Iniciar sesión")])
def test_language_follows_the_browser(client, settings, language, label):
    settings.LANGUAGE_CODE = "es-mx"
    with translation.override(None):
        response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert label in response.content.decode()


def _fuzzy_msgids(text: str) -> list[str]:
    fuzzy = []
    for block in re.split(r"\n\s*\n", text):
        if re.search(r"^#,.*\bfuzzy\b", block, re.M) and 'msgid ""\nmsgstr ""' not in block:
            match = re.search(r'^msgid "(.*)"$', block, re.M)
            fuzzy.append(match.group(1) if match else block)
    return fuzzy


def test_catalogue_covers_every_string_in_the_code_and_templates(tmp_path):
    """Extract the messages from a copy of the sources (as `makemessages` would for a
    release) merged with the committed catalogue: every string in every template and module
    must already have a Spanish translation, none of them fuzzy (gettext ignores those)."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    skip = shutil.ignore_patterns(
        ".venv",
        ".tools",
        ".git",
        "var",
        "node_modules",
        "__pycache__",
        "*.mo",
        ".pytest_cache",
        "bench",
        "tests",
        "fakes",
    )
    copy = tmp_path / "src"
    shutil.copytree(root, copy, ignore=skip, symlinks=True)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "es_MX",
            "--no-obsolete",
            "--no-location",
            "-v0",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    merged = (copy / "locale" / "es_MX" / "LC_MESSAGES" / "django.po").read_text()
    missing = [msgid for msgid, msgstr in _entries(merged) if msgid and not msgstr]
    assert missing == [], f"{len(missing)} strings lack a Spanish translation"
    assert _fuzzy_msgids(merged) == []
