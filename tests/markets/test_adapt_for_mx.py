"""“Adapt for MX” builds a draft Mexican campaign with the playbook's channels and offsets,
valid es-MX skeletons, and the localisation tasks in its readiness checklist, which hold the
launch until they are done."""

import pytest

from audit.models import AuditEntry
from campaigns import services as campaign_services
from campaigns.models import Campaign, Message
from markets.adapt import playbook_adapt
from markets.exceptions import AdaptationNotReady
from programs.models import ManualChecklistItem
from programs.readiness import campaign_checklist, manual_item_set_done
from segments.services import segment_create
from tests.support.factories import playbook_make

pytestmark = pytest.mark.django_db


def test_campaign_matches_the_playbook_channels_and_offsets():
    playbook = playbook_make()
    adapted = playbook_adapt(playbook=playbook, actor=None)
    campaign = adapted.campaign

    assert (campaign.status, campaign.market, campaign.kind, campaign.default_locale) == (
        Campaign.Status.DRAFT,
        "MX",
        "mission",
        "es-MX",
    )
    assert sorted(campaign.channels) == sorted({"whatsapp", "push", "email"})
    assert [(s["channel"], s["day"]) for s in adapted.steps] == [
        ("whatsapp", 0),
        ("push", 3),
        ("email", 6),
        ("push", 9),
    ]
    assert adapted.steps == playbook.steps and adapted.playbook == playbook
    assert AuditEntry.objects.get(action="playbook.adapt").detail["campaign"] == campaign.pk


def test_skeletons_are_valid_es_mx_templates():
    playbook = playbook_make(steps="email@0:{{ creator.email }} {% raw %};inbox@2:recap")
    campaign = playbook_adapt(playbook=playbook, actor=None).campaign
    messages = Message.objects.filter(campaign=campaign)
    assert {(m.channel, m.locale) for m in messages} == {("email", "es-MX"), ("inbox", "es-MX")}
    for message in messages:
        campaign_services.message_fields_validate(
            channel=message.channel, locale=message.locale, fields=message.fields
        )
        assert "{{ creator.email" not in str(message.fields) and "{% raw" not in str(message.fields)
    checklist = campaign_checklist(campaign=campaign)
    message_items = [item for item in checklist.items if item.key.startswith("message:")]
    assert len(message_items) == 2 and all(item.ok for item in message_items)


def test_localisation_tasks_are_required_checklist_items():
    campaign = playbook_adapt(playbook=playbook_make(), actor=None).campaign
    manual = [
        item
        for item in campaign_checklist(campaign=campaign).items
        if item.key.startswith("manual:")
    ]
    labels = [item.label for item in manual]
    assert len(labels) == 5 and all(item.required and not item.ok for item in manual)
    assert "es-MX" in labels[0] and "Brasil" in labels[0] and "pt-BR" in labels[0]
    assert "MXN" in labels[1] and "BRL" in labels[1]
    assert "examples" in labels[2]
    assert "America/Mexico_City" in labels[3]
    assert "legal wording" in labels[4] and "México" in labels[4]


def test_launch_waits_for_the_localisation_tasks():
    campaign = playbook_adapt(playbook=playbook_make(steps="push@0:go"), actor=None).campaign
    campaign.segment = segment_create(
        name="todos", rules={"all": [{"field": "level", "op": "gte", "value": 0}]}
    )
    campaign.save(update_fields=["segment"])
    with pytest.raises(AdaptationNotReady, match="Localise the currency"):
        campaign_services.campaign_launch(campaign=campaign, actor=None)
    for item in ManualChecklistItem.objects.filter(campaign=campaign):
        manual_item_set_done(item=item, done=True, actor=None)
    campaign = campaign_services.campaign_launch(campaign=campaign, actor=None)
    assert campaign.status == Campaign.Status.SENDING


def test_adapt_button_leads_to_the_campaign_with_its_plan(role_client):
    playbook = playbook_make()
    assert (
        role_client("analyst").post(f"/markets/playbooks/{playbook.pk}/adapt/").status_code == 403
    )
    client = role_client("editor")
    response = client.post(f"/markets/playbooks/{playbook.pk}/adapt/")
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f'href="{playbook.get_absolute_url()}"' in page
    assert 'data-channel="push" data-day="9"' in page
    assert 'id="readiness"' in page
    checklist = client.get(f"/programs/readiness/{campaign.pk}/").content.decode()
    assert "Localise the legal wording" in checklist
