"""The sequence pages: an editor adds a step with its messages per language on the step page,
changes and removes it; the campaign page shows the flow."""

import re

from campaigns import sequences
from campaigns.models import Message, SequenceStep
from creators.models import Creator
from tests.support.factories import campaign_make, creators_make


def _email_step(**extra: str) -> dict[str, str]:
    return {
        "channel": "email",
        "condition": "not_opened",
        "wait_days": "2",
        "wait_hours": "3",
        "es-MX-subject": "¿Lo viste, {{ creator.first_name }}?",
        "es-MX-html": "<p>Hola {{ creator.first_name }}</p>",
        "en-subject": "Did you see it?",
        "en-html": "<p>Hi {{ creator.first_name }}</p>",
        **extra,
    }


def test_editor_adds_an_email_step_in_both_languages_and_sees_it_on_both_pages(db, role_client):
    creators_make(3)
    campaign = campaign_make(channels=("inbox",))
    client = role_client("editor")
    new = client.get(f"/campaigns/{campaign.pk}/sequence/steps/new/")
    assert new.status_code == 200 and 'id="step-wait-days"' in new.content.decode()

    added = client.post(f"/campaigns/{campaign.pk}/sequence/steps/new/", _email_step())

    assert added.status_code == 302
    step = SequenceStep.objects.get(campaign=campaign)
    assert (step.channel, step.wait_minutes, step.condition) == ("email", 51 * 60, "not_opened")
    saved = {m.locale: m.fields for m in Message.objects.filter(step=step.pk)}
    assert saved["en"]["subject"] == "Did you see it?"
    assert saved["es-MX"]["html"] == "<p>Hola {{ creator.first_name }}</p>"
    listing = client.get(f"/campaigns/{campaign.pk}/sequence/").content.decode()
    assert "2 days 3 hours" in listing and "3060" not in listing
    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'hx-get="/campaigns/{campaign.pk}/sequence/flow/"' in detail  # loaded by htmx
    detail = client.get(f"/campaigns/{campaign.pk}/sequence/flow/").content.decode()
    assert 'id="sequence-flow"' in detail and "after 2 days 3 hours" in detail
    assert "Has not opened" in detail

    edit_url = f"/campaigns/{campaign.pk}/sequence/steps/{step.pk}/edit/"
    form = client.get(edit_url).content.decode()
    assert 'value="Did you see it?"' in form and re.search(r'id="step-wait-hours" value="3"', form)
    changed = client.post(
        edit_url,
        _email_step(**{"wait_days": "1", "wait_hours": "0", "en-subject": "", "en-html": ""}),
    )
    assert changed.status_code == 302
    step.refresh_from_db()
    assert step.wait_minutes == 24 * 60
    # The English message was emptied: it goes; the default language's stays.
    assert set(Message.objects.filter(step=step.pk).values_list("locale", flat=True)) == {"es-MX"}

    client.post(f"/campaigns/{campaign.pk}/sequence/{step.pk}/", {"action": "remove"})
    assert SequenceStep.objects.get(pk=step.pk).removed


def test_a_whatsapp_step_needs_no_title(db, role_client):
    campaign = campaign_make(channels=("inbox",))
    client = role_client("editor")
    # The channel select asks the page again (htmx) with what was typed so far.
    swapped = client.post(
        f"/campaigns/{campaign.pk}/sequence/steps/new/",
        {"refresh": "1", "channel": "whatsapp", "es-MX-body": "Hola", "wait_days": "0"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="step-es-MX-body"' in swapped and ">Hola</textarea>" in swapped
    assert 'id="step-es-MX-title"' not in swapped and 'id="step-es-MX-subject"' not in swapped
    assert not SequenceStep.objects.filter(campaign=campaign).exists()

    added = client.post(
        f"/campaigns/{campaign.pk}/sequence/steps/new/",
        {
            "channel": "whatsapp",
            "condition": "all",
            "wait_days": "0",
            "wait_hours": "6",
            "es-MX-body": "Hola {{ creator.first_name }}, ¿te unes?",
        },
    )
    assert added.status_code == 302
    step = SequenceStep.objects.get(campaign=campaign)
    assert Message.objects.get(step=step.pk).fields == {
        "body": "Hola {{ creator.first_name }}, ¿te unes?"
    }


def test_a_bad_template_is_refused_with_its_line_and_cause_and_nothing_is_saved(db, role_client):
    campaign = campaign_make(channels=("inbox",))
    refused = role_client("editor").post(
        f"/campaigns/{campaign.pk}/sequence/steps/new/",
        _email_step(**{"en-html": "<p>Hi</p>\n<p>{% if %}</p>"}),
    )
    html = refused.content.decode()
    assert refused.status_code == 400
    assert re.search(r'data-testid="template-error">Line 2: [^<]+</p>', html)
    assert "{% if %}" in html  # what was typed is kept
    assert not SequenceStep.objects.filter(campaign=campaign).exists()


def test_the_preview_renders_the_typed_message_for_a_sample_creator(db, role_client):
    creators_make(2)
    campaign = campaign_make(channels=("inbox",))
    client = role_client("editor")
    shown = client.post(
        f"/campaigns/{campaign.pk}/sequence/steps/preview/",
        {"channel": "push", "preview_locale": "en", "en-title": "Hi", "en-body": "Go {{ 1 + 1 }}"},
    )
    assert shown.status_code == 200 and "Go 2" in shown.content.decode()
    broken = client.post(
        f"/campaigns/{campaign.pk}/sequence/steps/preview/",
        {"channel": "push", "preview_locale": "en", "en-title": "Hi", "en-body": "{{ nope("},
    )
    assert broken.status_code == 200 and "Line 1:" in broken.content.decode()


def test_preview_counts_what_each_step_would_reach_before_the_launch(db, role_client):
    creators = creators_make(10)
    Creator.objects.filter(pk=creators[0].pk).update(consent_push="denied")
    campaign = campaign_make(channels=("inbox",))
    sequences.sequence_step_save(
        campaign=campaign,
        channel="push",
        wait_minutes=60,
        condition="not_opened",
        messages=[{"locale": "es-MX", "title": "Hola", "body": "Hola"}],
    )
    client = role_client("editor")
    page = client.get(f"/campaigns/{campaign.pk}/sequence/").content.decode()
    # The count is loaded with htmx from the cell's own URL, then shown from the cache.
    cell = client.get(re.search(r'class="would-reach number" hx-get="([^"]+)"', page)[1])
    assert re.search(r'<td class="would-reach number">9</td>', cell.content.decode())
    page = client.get(f"/campaigns/{campaign.pk}/sequence/").content.decode()
    assert re.search(r'<td class="would-reach number">9</td>', page)  # one cannot get push
