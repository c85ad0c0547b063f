"""An in-app notice is kept as a code and read in its reader's language, not its writer's."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from agencies.models import Notification
from agencies.services import notifications_create
from common.system_messages import SystemMessage
from tests.support.factories import agency_make, agency_user_make, client_for

pytestmark = pytest.mark.django_db


def _notices(client, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get("/notifications/").content.decode()


def test_a_notice_written_in_spanish_reads_in_english(role_groups):
    writer = agency_user_make(agency_make("Alfa"), "alfa-lectora")
    with translation.override("es-mx"):  # the ops person who wrote the brief
        notifications_create(
            users=[writer], text=SystemMessage("notification.brief_new", title="Guía"), url="/"
        )
    notice = Notification.objects.get()
    assert notice.text_message == {"code": "notification.brief_new", "params": {"title": "Guía"}}

    client = client_for(writer)
    assert "New brief: Guía" in _notices(client, "en")
    assert "Nuevo brief: Guía" in _notices(client, "es-mx")
    assert "Nuevo brief" not in _notices(client, "en")


def test_an_older_notice_reads_as_it_was_written(role_groups):
    writer = agency_user_make(agency_make("Alfa"), "alfa-lectora")
    Notification.objects.create(user=writer, text="Nuevo brief: Guía", url="/")
    assert "Nuevo brief: Guía" in _notices(client_for(writer), "en")
