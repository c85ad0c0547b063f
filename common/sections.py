"""Sections that a higher app adds to a lower app's page, so the lower one never imports it.

A page names itself ("creator", "campaign") and renders whatever sections are registered for
it; a section takes the request and the page's subject (the creator, the campaign) and
returns HTML rendered from a template (so already escaped). Apps register theirs in their
`AppConfig.ready()`: campaigns adds a creator's messages to the creator page, tracking adds
opens and clicks to the campaign page. See README "Layer order".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

PageSection = Callable[[HttpRequest, Any], str]
_SECTIONS: defaultdict[str, list[PageSection]] = defaultdict(list)


def page_section_register(*, page: str, section: PageSection) -> None:
    if section not in _SECTIONS[page]:
        _SECTIONS[page].append(section)


def page_sections_render(*, page: str, request: HttpRequest, subject: Any) -> list[SafeString]:
    return [mark_safe(section(request, subject)) for section in _SECTIONS[page]]
