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
