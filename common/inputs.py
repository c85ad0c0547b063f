"""Reading numbers and ids from query strings and forms, for views.

`int()` accepts what no id looks like (" 7", "٣", "+7", "1_000") and refuses "²" although
`"²".isdigit()` is true; an id beyond PostgreSQL's bigint makes the query fail. These helpers
accept plain ASCII digits within bigint only. Text that cannot be stored at all (NUL, invalid
UTF-8) never reaches a view: common.middleware.RequestTextMiddleware answers 400 first.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils.translation import gettext as _

BIGINT_MAX = 2**63 - 1


def digits_int(raw: str) -> int | None:
    """`raw` as a whole number if it is plain ASCII digits within bigint, else None."""
    if not raw or len(raw) > 19 or not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if number <= BIGINT_MAX else None


def query_id(request: HttpRequest, name: str) -> int | None:
    """The id in query parameter `name`; None if absent or blank; BadRequest (400) if the
    value is not an id."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    number = digits_int(raw)
    if number is None:
        raise BadRequest(_("“%(name)s” must be a number.") % {"name": name})
    return number
