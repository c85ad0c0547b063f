"""Request types for views whose user is known, so `request.user` is typed as a `User`.

django-stubs types `HttpRequest.user` as `User | AnonymousUser`; a view behind
`login_required` or a permission check only ever sees a signed-in user, and says so by
annotating its request as `AuthenticatedHttpRequest` (the pattern django-stubs documents).
"""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `login_required` or a permission check: `user` is signed in."""

    user: User


class TokenHttpRequest(HttpRequest):
    """An API request authenticated by `config.api.BearerToken`: `auth` is its user, and the
    token sets `user` to the same one."""

    auth: User
    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request only signed-in users reach (the admin, `login_required`), for
    code that cannot annotate its request (a `ModelAdmin` method must keep the base type)."""
    user = request.user
    assert isinstance(user, User), "only signed-in users reach this code"
    return user
