"""The demo's agency (`manage.py seed_demo`): Estudio Nopal with one member, a brief with its
checklist and two deliverables, and a script back in review after one round of changes (a
line comment, "changes requested", a second version), all through the services. Its people
are demo users without a password (an admin sets one to sign in as them)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from agencies.models import Agency, Deliverable, Review
from agencies.services import (
    agency_create,
    agency_member_add,
    brief_create,
    comment_add,
    review_submit,
    version_submit,
)

AGENCY = "Estudio Nopal"
SCRIPT_V1 = (
    "Hola, soy Ana y hoy te enseño a vender en vivo.\n"
    "Primero: prepara tres productos y ten la luz de frente.\n"
    "Segundo: saluda a cada persona que entra por su nombre.\n"
    "Tercero: cierra con una oferta que dure solo 10 minutos.\n"
)
SCRIPT_V2 = (
    "Hola, soy Ana y hoy te enseño a vender en vivo en 3 pasos.\n"
    "Primero: prepara tres productos y ten la luz de frente.\n"
    "Segundo: saluda a cada persona que entra por su nombre.\n"
    "Tercero: cierra con una oferta de tiempo limitado, sin prometer ganancias.\n"
)


def _user(username: str, *, email: str, role: Role) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if role is not Role.AGENCY:  # agency_member_add gives the agency role itself
        user.groups.add(Group.objects.get(name=role.value))
    return user


@transaction.atomic
def agencies_demo_create() -> int:
    """The demo agency and its brief, once; returns how many deliverables were added."""
    if Agency.objects.filter(name=AGENCY).exists():
        return 0
    reviewer = _user("demo-editora", email="editora@altavoz.example.com", role=Role.EDITOR)
    agency = agency_create(
        actor=None,
        name=AGENCY,
        contact_name="Ana Robles",
        contact_email="ana@estudionopal.example.com",
        contact_phone="+525512340000",
    )
    member = _user("nopal-ana", email="ana@estudionopal.example.com", role=Role.AGENCY)
    agency_member_add(actor=None, agency=agency, user=member)
    today = timezone.localdate()
    brief = brief_create(
        actor=reviewer,
        agency=agency,
        title="Cómo vender en vivo",
        objective="Que un creador nuevo haga su primer LIVE de ventas en una semana.",
        audience="Creadores de nivel 1 y 2, sobre todo de belleza y hogar.",
        key_messages="Prepara tres productos\nSaluda por su nombre\nCierra con una oferta",
        tone="Cercano, de tú, con humor ligero",
        dos="Mostrar el producto de cerca",
        donts="Prometer ganancias",
        language="es-MX",
        format="Video vertical",
        length="60 a 90 segundos",
        first_draft_due=today - timedelta(days=3),
        final_due=today + timedelta(days=10),
        checklist=["Sigue los mensajes clave", "Cumple las políticas de contenido"],
        deliverables=[
            {"kind": Deliverable.Kind.SCRIPT, "title": "Guion: vender en vivo", "due_date": today},
            {
                "kind": Deliverable.Kind.VIDEO,
                "title": "Video: vender en vivo",
                "due_date": today + timedelta(days=10),
            },
        ],
    )
    script = brief.deliverables.get(kind=Deliverable.Kind.SCRIPT)
    first = version_submit(deliverable=script, actor=member, text=SCRIPT_V1, note="Primera versión")
    comment_add(
        version=first,
        actor=reviewer,
        body="No podemos decir cuánto dura la oferta si la tienda no lo garantiza.",
        line=4,
    )
    review_submit(
        version=first,
        actor=reviewer,
        decision=Review.Decision.CHANGES,
        summary="Quita la duración de la oferta y anuncia los 3 pasos al inicio.",
        checked_items=list(brief.checklist.all()[:1]),
    )
    version_submit(
        deliverable=script,
        actor=member,
        text=SCRIPT_V2,
        note="Ajustamos la oferta y el inicio",
    )
    return brief.deliverables.count()
