"""Errors of the creators app, each with a message a person can act on."""

from django.utils.translation import gettext as _

from common.exceptions import AltavozError


class CreatorHandleTaken(AltavozError):
    def __init__(self, handle: str) -> None:
        super().__init__(
            _("Another creator already has the handle @%(handle)s.") % {"handle": handle}
        )
