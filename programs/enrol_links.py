"""Tracked enrolment links: a signed URL per (program, creator) that enrols with source `link`."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from programs.exceptions import ProgramInvalid

_SIGNER = signing.Signer(salt="altavoz.programs.enrol")


def program_enrol_url(*, program_id: int, creator_id: int) -> str:
    token = _SIGNER.sign(f"{program_id}.{creator_id}")
    return f"{settings.PUBLIC_BASE_URL}{reverse('program-join', args=[token])}"


def enrol_token_read(token: str) -> tuple[int, int]:
    """(program id, creator id) of a genuine token; anything else is refused."""
    try:
        program_id, creator_id = _SIGNER.unsign(token).split(".")
        return int(program_id), int(creator_id)
    except (signing.BadSignature, ValueError):
        raise ProgramInvalid(_("This enrolment link is not valid.")) from None
