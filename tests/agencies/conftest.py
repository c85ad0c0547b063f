from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role, roles_sync
from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def agency_files(settings, tmp_path) -> None:
    settings.AGENCY_FILES_DIR = tmp_path / "agency-files"


@pytest.fixture
def role_groups(db) -> None:
    names = {role.value for role in Role}
    if set(Group.objects.filter(name__in=names).values_list("name", flat=True)) != names:
        roles_sync()


@pytest.fixture
def smtp_outbox(fake_providers, settings) -> Iterator:
    """Email leaves through Django's SMTP backend to the fake SMTP server; Celery tasks run
    in this process (eagerly) so the email task runs when the transaction commits."""
    host, port = fake_providers.smtp_address
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield fake_providers
    finally:
        celery_app.conf.task_always_eager = previous
