"""Sections that other apps add to a creator's page without creators importing them.

A section takes the request and the creator and returns rendered HTML. campaigns registers
the creator's messages here (creators sits below campaigns in the layer order).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from creators.models import Creator

ProfileSection = Callable[[HttpRequest, "Creator"], str]
_SECTIONS: list[ProfileSection] = []


def profile_section_register(section: ProfileSection) -> None:
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def profile_sections_render(*, request: HttpRequest, creator: Creator) -> list[SafeString]:
    """Each registered section's HTML (rendered from templates, so already escaped)."""
    return [mark_safe(section(request, creator)) for section in _SECTIONS]
