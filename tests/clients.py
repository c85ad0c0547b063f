"""Test clients that remember who they are signed in as."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from creators.models import Creator


class UserClient(Client):
    """A client signed in (`force_login`) as `user`."""

    user: User


class CreatorClient(Client):
    """A client with a portal session for `creator`."""

    creator: Creator
