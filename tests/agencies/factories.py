"""Agencies, their people, briefs and deliverables for tests, made through the services."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agencies import services
from agencies.models import Agency, Brief, Deliverable
from tests.clients import UserClient

PASSWORD = "agency-test-password"


def user_make(username: str, *, role: str | None = None, email: str = ""):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=email or f"{username}@example.com"
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def agency_make(name: str) -> Agency:
    return services.agency_create(actor=None, name=name, contact_email=f"hola@{name.lower()}.mx")


def agency_user_make(agency: Agency, username: str):
    user = user_make(username)
    services.agency_member_add(actor=None, agency=agency, user=user)
    return user


def brief_make(
    *,
    agency: Agency,
    author,
    title: str = "Cómo vender en vivo",
    due: date | None = None,
    campaign=None,
) -> Brief:
    due = due or date.today() + timedelta(days=14)
    return services.brief_create(
        actor=author,
        agency=agency,
        title=title,
        objective="Explain live selling to new creators.",
        key_messages="Live selling works\nShow the product",
        language="es-MX",
        final_due=due,
        campaign=campaign,
        checklist=["Matches the key messages", "Policy compliance"],
        deliverables=[
            {"kind": Deliverable.Kind.SCRIPT, "title": f"{title} script", "due_date": due}
        ],
    )


def client_for(user) -> UserClient:
    client = UserClient()
    client.force_login(user)
    client.user = user
    return client
