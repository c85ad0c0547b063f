"""Test data for every folder, one builder per model, made through the real services.

`<model>_make` builds one row (or `<models>_make` many); the message fields a campaign sends
on each channel are in `MESSAGES`. Users and signed-in clients are here too, so every
folder's users are made the same way (`user_make`, `client_for`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Agency, Brief, Deliverable
from campaigns import services as campaign_services
from campaigns.models import Campaign, Delivery
from channels.models import InboxMessage
from creators.models import Creator, Device
from education import services as education_services
from education.models import ContentItem, LearningPath
from markets.models import Playbook
from markets.steps import steps_parse
from programs import services as program_services
from programs.models import Program
from segments.models import Segment
from segments.services import segment_create
from tests.clients import UserClient

# Users

PASSWORD = "altavoz-test-password"


def user_make(
    username: str,
    *,
    role: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    **fields,
):
    """A user (in the role group `role`, if given) who signs in with `password`; their email
    address is `<username>@example.com` unless `email` is given ("" for none)."""
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        email=f"{username}@example.com" if email is None else email,
        **fields,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def client_for(user) -> UserClient:
    """A test client signed in (`force_login`) as `user`."""
    client = UserClient()
    client.force_login(user)
    client.user = user
    return client


# Creators


def creators_make(
    count: int,
    *,
    start: int = 0,
    consent: str = "granted",
    devices: bool = True,
    whatsapp_window: bool = True,
) -> list[Creator]:
    """`count` creators `creador_<n>` (every fifth in English), reachable on every channel
    with `consent`, each with an Android device unless `devices` is false. `whatsapp_window`:
    each wrote to us on WhatsApp just now, so free-text WhatsApp reaches them
    (campaigns/whatsapp_window.py); tests of the window itself pass False."""
    window_open_until = timezone.now() + timedelta(hours=24) if whatsapp_window else None
    creators = Creator.objects.bulk_create(
        Creator(
            handle=f"creador_{index}",
            name=f"Creadora {index}",
            email=f"creadora{index}@example.com",
            phone=f"+5255{index:08d}",
            locale="en" if index % 5 == 0 else "es-MX",
            consent_email=consent,
            consent_whatsapp=consent,
            consent_push=consent,
            level=index % 8,
            whatsapp_window_open_until=window_open_until,
        )
        for index in range(start, start + count)
    )
    if devices:
        Device.objects.bulk_create(
            Device(creator=creator, token=f"device-token-{creator.handle}", platform="android")
            for creator in creators
        )
    return creators


def creator_make(handle: str, *, locale: str = "es-MX", level: int = 3, **fields) -> Creator:
    """One creator with an email address and email consent; `fields` override the rest."""
    defaults = {
        "name": handle.replace("_", " ").title(),
        "email": f"{handle}@example.com",
        "phone": "",
        "consent_email": "granted",
    }
    return Creator.objects.create(
        handle=handle, locale=locale, level=level, **{**defaults, **fields}
    )


# Segments and campaigns

MESSAGES: dict[str, dict[str, Any]] = {
    "email": {
        "subject": "¡Hola {{ creator.first_name }}! Nueva misión",
        "html": '<p>Hola {{ creator.first_name }}, <a href="https://shop.example/m/1">únete</a>.</p>',
    },
    "whatsapp": {
        "body": "Hola {{ creator.first_name }}, tu nivel es {{ creator.level }}. https://shop.example/m/1"
    },
    "push": {
        "title": "Misión nueva",
        "body": "{{ creator.first_name }}, entra ya",
        "link": "https://shop.example/m/1",
    },
    "inbox": {
        "title": "Misión de noviembre",
        "body": "Hola {{ creator.first_name }}",
        "cta_label": "Ver",
        "cta_link": "https://shop.example/m/1",
    },
}


def segment_make(*, name: str, rules: dict | None = None) -> Segment:
    """A dynamic segment; by default every creator (level 0 or more)."""
    return segment_create(
        name=name, rules=rules or {"all": [{"field": "level", "op": "gte", "value": 0}]}
    )


def campaign_make(
    *,
    channels: tuple[str, ...] = ("email", "whatsapp", "push", "inbox"),
    locales=("es-MX", "en"),
    rules: dict | None = None,
    name: str = "Misión de noviembre",
    kind: str = Campaign.Kind.MISSION,
    messages: list[dict[str, Any]] | None = None,
) -> Campaign:
    """A draft campaign to its own segment (`rules`), with `MESSAGES` on each of `channels`
    in each of `locales` unless `messages` are given."""
    return campaign_services.campaign_create(
        owner=None,
        name=name,
        kind=kind,
        segment=segment_make(name=f"{name} audience", rules=rules),
        messages=messages
        if messages is not None
        else [
            {"channel": channel, "locale": locale, **MESSAGES[channel]}
            for channel in channels
            for locale in locales
        ],
    )


def delivery_make(
    creator: Creator, *, channel: str = "email", campaign: Campaign | None = None
) -> Delivery:
    """A sent delivery to `creator`, of `campaign` or of a new one of its own."""
    campaign = campaign or campaign_make(channels=(channel,), name=f"Campaign {creator.handle}")
    return Delivery.objects.create(
        campaign=campaign,
        run=1,
        channel=channel,
        creator=creator,
        locale=creator.locale,
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
    )


def inbox_message_make(
    creator: Creator, title: str = "Bienvenida", *, campaign: Campaign | None = None
) -> InboxMessage:
    """An inbox message to `creator`, with the sent inbox delivery it came from (of
    `campaign`, or of a new one of its own)."""
    delivery = delivery_make(creator, channel="inbox", campaign=campaign)
    return InboxMessage.objects.create(
        creator=creator,
        delivery=delivery,
        title=title,
        body=f"Hola {creator.name}",
        cta_label="Ver",
        cta_link="https://shop.example/m/1",
    )


# Education

GUIDE_BODY_ES = "\n\n".join(
    f"## Paso {n}\n\nGraba con buena luz y habla de tu producto con calma." for n in range(1, 9)
)
GUIDE_BODY_EN = "\n\n".join(
    f"## Step {n}\n\nFilm in good light and talk about your product calmly." for n in range(1, 9)
)


def lesson_make(
    slug: str = "buena-luz",
    *,
    kind: str = "guide",
    level: int = 1,
    publish: bool = True,
    video_url: str = "",
) -> ContentItem:
    """A lesson in es-MX and en, published unless `publish` is false."""
    item = ContentItem.objects.create(slug=slug, kind=kind, topic="content_quality", level=level)
    for locale, title, summary, body in (
        ("es-MX", f"Graba con buena luz ({slug})", "Luz natural, sin sombras.", GUIDE_BODY_ES),
        ("en", f"Film in good light ({slug})", "Natural light, no shadows.", GUIDE_BODY_EN),
    ):
        education_services.content_version_save(
            item=item,
            locale=locale,
            title=title,
            summary=summary,
            body=body,
            video_url=video_url,
            duration_minutes=5,
        )
    if publish:
        education_services.content_item_transition(item=item, status="in_review")
        education_services.content_item_transition(item=item, status="published")
        item.refresh_from_db()
    return item


def path_make(slug: str, items: list[ContentItem]) -> LearningPath:
    """A published learning path of `items`, in that order."""
    path = LearningPath.objects.create(
        slug=slug, title_es="Curso de video", title_en="Video course", published=True
    )
    education_services.learning_path_items_set(path=path, items=items)
    return path


# Programs

PERIOD = (date(2026, 11, 1), date(2026, 11, 30))


def program_make(
    *,
    name: str = "Misión noviembre",
    kind: str = Campaign.Kind.MISSION,
    messages: list[dict[str, Any]] | None = None,
    rules: dict | None = None,
    **fields: Any,
) -> Program:
    """A November 2026 program (GMV of at least 1,000 by default) on a campaign of its own,
    which sends one es-MX inbox message unless `messages` are given."""
    campaign = campaign_make(
        name=name,
        kind=kind,
        rules=rules,
        messages=messages
        if messages is not None
        else [{"channel": "inbox", "locale": "es-MX", "title": "Hola", "body": "Vamos"}],
    )
    defaults: dict[str, Any] = {"metric": "gmv", "threshold": Decimal("1000")}
    defaults.update(fields)
    return program_services.program_save(
        campaign=campaign, starts_on=PERIOD[0], ends_on=PERIOD[1], **defaults
    )


# Agencies


def agency_make(name: str) -> Agency:
    return agency_services.agency_create(
        actor=None, name=name, contact_email=f"hola@{name.lower()}.mx"
    )


def agency_user_make(agency: Agency, username: str):
    """A user who is a member of `agency`."""
    user = user_make(username)
    agency_services.agency_member_add(actor=None, agency=agency, user=user)
    return user


def brief_make(
    *,
    agency: Agency,
    author,
    title: str = "Cómo vender en vivo",
    due: date | None = None,
    campaign=None,
) -> Brief:
    """A brief for `agency` with one script deliverable, due in two weeks by default."""
    due = due or date.today() + timedelta(days=14)
    return agency_services.brief_create(
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


# Markets


def playbook_make(
    *,
    market: str = "BR",
    title: str = "Recordatorio de misión",
    kind: str = "mission",
    steps: str = "whatsapp@0:announce;push@3:remind;email@6:recap;push@9:last call",
    **fields,
) -> Playbook:
    """A playbook of another market, its steps written as `channel@day:purpose;…`."""
    return Playbook.objects.create(
        market_id=market, title=title, kind=kind, steps=steps_parse(steps), **fields
    )
