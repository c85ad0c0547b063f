"""`manage.py seed_demo` leaves every page with content: a published education library, a
program with a leaderboard, an agency script in review, playbooks of two markets, finished
campaigns with deliveries, opens, clicks and WhatsApp replies, a sequence and a triggered
campaign; and a second run adds none of it again."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import Deliverable, DeliverableTransition, Review
from campaigns.models import Campaign, Delivery, SequenceStep
from conversations.models import Message
from education.models import ContentItem, LearningPath
from markets.models import Playbook
from programs.models import Program
from programs.selectors import program_band_counts, program_leaderboard
from tests.support.factories import client_for, user_make
from tracking.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    out = StringIO()
    call_command("seed_demo", creators=300, seed=5, stdout=out)
    return out.getvalue()


@pytest.fixture
def ops():
    return client_for(user_make("ops-demo", role="admin"))


def _text(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, url
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_demo_education_library_is_published_with_a_learning_path(demo, ops):
    published = ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED)
    assert {item.kind for item in published} >= {"video", "guide", "tutorial"}
    assert all(item.versions.filter(locale="en").exists() for item in published)
    assert ContentItem.objects.filter(status=ContentItem.Status.IN_REVIEW).count() == 1
    path = LearningPath.objects.get(published=True)
    assert path.steps.count() >= 3
    page = _text(ops, "/education/")
    assert "Graba con buena luz" in page and "In review" in page
    assert "Primeros pasos como creador" in page


def test_demo_program_has_enrolled_creators_bands_and_a_leaderboard(demo, ops):
    program = Program.objects.get(campaign__name__startswith="Demo ·")
    board = program_leaderboard(program=program, limit=3)
    assert program.enrolments.count() > 50
    assert board[0]["total"] > board[2]["total"] > 0
    assert board[0]["prize"] == "10,000 MXN"
    assert sum(1 for count in program_band_counts(program=program).values() if count) >= 3
    page = _text(ops, f"/programs/{program.pk}/leaderboard/")
    assert f"@{board[0]['handle']}" in page or board[0]["handle"] in page


def test_demo_agency_script_is_back_in_review_after_a_round_of_changes(demo, ops):
    script = Deliverable.objects.get(kind=Deliverable.Kind.SCRIPT)
    assert script.status == Deliverable.Status.SUBMITTED
    assert script.versions.count() == 2
    assert Review.objects.get(version__number=1).decision == Review.Decision.CHANGES
    assert script.versions.get(number=1).comments.filter(line=4).exists()
    # briefed → in progress → submitted → changes requested → submitted
    assert DeliverableTransition.objects.filter(deliverable=script).count() == 4
    page = _text(ops, f"/work/deliverables/{script.pk}/")
    assert "Guion: vender en vivo" in page and "Submitted" in page
    assert "Estudio Nopal" in _text(ops, "/agencies/")


def test_demo_playbooks_come_from_two_markets(demo, ops):
    assert set(Playbook.objects.values_list("market_id", flat=True)) == {"BR", "US"}
    page = _text(ops, "/markets/")
    assert "Desafio de vendas ao vivo" in page and "Creator onboarding email course" in page


def test_demo_finished_campaigns_have_deliveries_opens_clicks_and_replies(demo, ops):
    finished = Campaign.objects.filter(name__startswith="Demo ·", status=Campaign.Status.SENT)
    assert finished.count() == 2
    campaign = finished.get(name__contains="Ofertas")
    sent = Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SENT)
    assert {d.channel for d in sent} == {"email", "whatsapp", "push"}
    assert all(d.sent_at < campaign.finished_at for d in sent)
    kinds = set(Event.objects.filter(campaign_id=campaign.pk).values_list("kind", flat=True))
    assert kinds >= {"delivered", "opened", "clicked", "read"}
    replies = Message.objects.filter(provider_sid__startswith="SMdemoreply")
    assert replies.count() > 5
    assert all(reply.delivery_id for reply in replies)  # each answers a demo WhatsApp message
    stats = _text(ops, f"/stats/campaigns/{campaign.pk}/")
    # Funnel: targeted, sent, delivered, opened and clicked all counted.
    assert re.search(r"Email (\d+) \1 [1-9]\d* [1-9]\d* [1-9]\d* 0 ", stats), stats[:3000]
    assert "Felicidades" not in stats
    assert replies.first().body in _text(ops, "/conversations/")


def test_demo_sequence_waits_for_its_follow_ups_and_the_trigger_is_armed(demo, ops):
    sequence = Campaign.objects.get(name__contains="seguimiento")
    assert sequence.status == Campaign.Status.SENDING
    steps = SequenceStep.objects.filter(campaign=sequence).order_by("position")
    assert [step.condition for step in steps] == ["not_opened", "not_clicked"]
    assert Delivery.objects.filter(campaign=sequence, status=Delivery.Status.SENT).exists()
    assert "Has not opened" in _text(ops, f"/campaigns/{sequence.pk}/sequence/")
    triggered = Campaign.objects.get(name__contains="primera venta")
    assert triggered.trigger["event"] == "sale_made"
    assert triggered.status == Campaign.Status.SENDING and triggered.launched_at


def test_seeding_again_adds_no_second_demo_set(demo):
    counts = (
        ContentItem.objects.count(),
        Deliverable.objects.count(),
        Playbook.objects.count(),
        Campaign.objects.count(),
        Delivery.objects.count(),
        Event.objects.count(),
        Message.objects.count(),
    )
    out = StringIO()
    call_command("seed_demo", creators=10, seed=6, stdout=out)
    assert "0 lessons, 0 agency deliverables, 0 playbooks, 0 campaigns" in out.getvalue()
    assert counts == (
        ContentItem.objects.count(),
        Deliverable.objects.count(),
        Playbook.objects.count(),
        Campaign.objects.count(),
        Delivery.objects.count(),
        Event.objects.count(),
        Message.objects.count(),
    )
