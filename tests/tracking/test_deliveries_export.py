"""The deliveries export: one CSV row per delivery with its creator and times, streamed,
narrowed by outcome (who clicked, opened, replied, did not open, failed), each row
matching the delivery it stands for."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from campaigns.models import Campaign, Delivery
from conversations.models import Conversation, Message
from tests.tracking.engagement import engaged_campaign_make
from tracking.models import Event
from tracking.services import KEY_FAIL

pytestmark = pytest.mark.django_db

S = Delivery.Status


@pytest.fixture
def campaign() -> Campaign:
    campaign = engaged_campaign_make()
    # Two WhatsApp replies (one an opt-out keyword, which is not a reply) to creators reached.
    whatsapp = list(
        Delivery.objects.filter(campaign=campaign, channel="whatsapp", status=S.SENT)
        .select_related("creator")
        .order_by("pk")[:2]
    )
    for delivery, keyword in zip(whatsapp, ("", "opt_out"), strict=True):
        thread = Conversation.objects.create(creator=delivery.creator, phone=delivery.creator.phone)
        Message.objects.create(
            conversation=thread,
            direction="in",
            body="Sí, me interesa" if not keyword else "BAJA",
            keyword=keyword,
            delivery=delivery,
            campaign=campaign,
            provider_sid=f"SM{delivery.pk:032x}",
            at=timezone.now() - timedelta(minutes=5),
        )
    return campaign


def _export(client, campaign: Campaign, outcome: str = "") -> list[dict[str, str]]:
    response = client.get(
        f"/stats/campaigns/{campaign.pk}/deliveries.csv", {"outcome": outcome} if outcome else {}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _ids(rows, campaign) -> list[tuple[str, str]]:
    return sorted((row["creator"], row["channel"]) for row in rows)


def _expected(campaign, **filters) -> list[tuple[str, str]]:
    return sorted(
        Delivery.objects.filter(campaign=campaign, **filters).values_list(
            "creator__handle", "channel"
        )
    )


def test_export_has_every_delivery_with_its_times(role_client, campaign):
    rows = _export(role_client("analyst"), campaign)
    assert list(rows[0]) == [
        "creator", "channel", "language", "variant", "status",
        "sent_at", "delivered_at", "opened_at", "clicked_at", "replied_at",
    ]  # fmt: skip
    assert len(rows) == Delivery.objects.filter(campaign=campaign).count()
    by_key = {(row["creator"], row["channel"]): row for row in rows}
    for delivery in Delivery.objects.filter(campaign=campaign).select_related("creator"):
        row = by_key[(delivery.creator.handle, delivery.channel)]
        assert row["language"] == delivery.locale
        for column, value in (
            ("sent_at", delivery.sent_at),
            ("opened_at", delivery.first_opened_at),
            ("clicked_at", delivery.first_clicked_at),
        ):
            if value is None:
                assert row[column] == ""
            else:
                assert abs(timezone.datetime.fromisoformat(row[column]) - value) < timedelta(
                    seconds=1
                )


def test_export_who_clicked_is_exactly_the_human_clickers(role_client, campaign):
    rows = _export(role_client("analyst"), campaign, "clicked")
    assert rows and _ids(rows, campaign) == _expected(campaign, first_clicked_at__isnull=False)
    assert all(row["clicked_at"] for row in rows)


def test_export_who_opened(role_client, campaign):
    rows = _export(role_client("analyst"), campaign, "opened")
    assert rows and _ids(rows, campaign) == _expected(campaign, first_opened_at__isnull=False)


def test_export_who_replied_leaves_opt_out_keywords_out(role_client, campaign):
    rows = _export(role_client("analyst"), campaign, "replied")
    replied = Message.objects.get(direction="in", keyword="")
    assert [(row["creator"], row["channel"]) for row in rows] == [
        (replied.delivery.creator.handle, "whatsapp")
    ]
    assert rows[0]["replied_at"]


def test_export_failed_includes_bounces_after_acceptance(role_client, campaign):
    rows = _export(role_client("analyst"), campaign, "failed")
    bounced = set(
        Event.objects.filter(campaign=campaign, dedupe_key=KEY_FAIL).values_list(
            "delivery_id", flat=True
        )
    )
    expected = sorted(
        (d.creator.handle, d.channel)
        for d in Delivery.objects.filter(campaign=campaign).select_related("creator")
        if d.status == S.FAILED or d.pk in bounced
    )
    assert bounced and _ids(rows, campaign) == expected
    assert {row["status"] for row in rows} == {"failed", "bounced"}


def test_export_not_opened_is_reached_without_open_or_click(role_client, campaign):
    rows = _export(role_client("analyst"), campaign, "not_opened")
    bounced = set(
        Event.objects.filter(campaign=campaign, dedupe_key=KEY_FAIL).values_list(
            "delivery_id", flat=True
        )
    )
    expected = sorted(
        (d.creator.handle, d.channel)
        for d in Delivery.objects.filter(campaign=campaign).select_related("creator")
        if d.status == S.SENT
        and d.pk not in bounced
        and d.first_opened_at is None
        and d.first_clicked_at is None
    )
    assert rows and _ids(rows, campaign) == expected


def test_export_is_audited(role_client, campaign):
    _export(role_client("analyst"), campaign, "clicked")
    assert AuditEntry.objects.filter(
        action="campaign.download", target_id=str(campaign.pk)
    ).exists()


def test_unknown_outcome_is_a_400(role_client, campaign):
    response = role_client("analyst").get(
        f"/stats/campaigns/{campaign.pk}/deliveries.csv", {"outcome": "<script>"}
    )
    assert response.status_code == 400
    assert b"<script>" not in response.content


def test_export_of_a_missing_campaign_is_a_404(role_client):
    assert role_client("analyst").get("/stats/campaigns/999999/deliveries.csv").status_code == 404


def test_export_needs_sign_in(client, campaign):
    response = client.get(f"/stats/campaigns/{campaign.pk}/deliveries.csv")
    assert response.status_code == 302 and "login" in response["Location"]
