import pytest

from creators.models import ConsentChange, Creator
from tests.support.factories import creator_make
from tracking.tokens import portal_token_make

pytestmark = pytest.mark.django_db


def test_preference_changes_land_in_consent_history(portal_client):
    creator = creator_make("carla", consent_whatsapp="denied")
    client = portal_client(creator)
    before = ConsentChange.objects.count()
    response = client.post(
        "/me/preferences/",
        {
            "channel_email": "",
            "channel_whatsapp": "on",
            "channel_push": "",
            "channel_inbox": "on",
            "locale": "en",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "08:00",
        },
    )
    assert response.status_code == 200 and 'id="saved"' in response.content.decode()
    creator = Creator.objects.get(pk=creator.pk)
    assert (creator.consent_email, creator.consent_whatsapp, creator.consent_push) == (
        "denied",
        "granted",
        "unknown",  # shown unticked and left unticked: not a choice the creator made
    )
    assert creator.locale == "en"
    assert str(creator.quiet_hours_start) == "22:00:00"
    changes = ConsentChange.objects.filter(creator=creator).order_by("id")[before:]
    assert {(c.channel, c.status, c.source) for c in changes} == {
        ("email", "denied", "preferences"),
        ("whatsapp", "granted", "preferences"),
    }
    # The page now speaks the chosen language.
    assert '<html lang="en"' in response.content.decode()


def test_half_quiet_hours_is_refused(portal_client):
    client = portal_client(creator_make("dora"))
    response = client.post("/me/preferences/", {"locale": "es-MX", "quiet_hours_start": "22:00"})
    assert response.status_code == 400
    assert Creator.objects.get(handle="dora").quiet_hours_start is None


def test_preferences_link_from_a_message_opens_the_preference_center(client):
    from tests.support.factories import delivery_make

    creator = creator_make("elena")
    token = portal_token_make(delivery_id=delivery_make(creator).pk)
    response = client.get(f"/me/preferences/{token}/", follow=True)
    assert response.redirect_chain[-1][0] == "/me/preferences/"
    assert 'id="preferences"' in response.content.decode()


def _form_as_shown(page: str) -> dict[str, str]:
    """What the browser would post for the form as the page shows it, untouched."""
    import re

    selected = re.search(r'<option value="([^"]+)" selected', page)
    assert selected is not None
    data = {"locale": selected.group(1)}
    for name in re.findall(r'<input type="checkbox" name="(channel_\w+)"[^>]*checked', page):
        data[name] = "on"
    return data


def test_saving_untouched_records_no_consent(portal_client):
    creator = creator_make("fabi", consent_email="granted", consent_whatsapp="denied")
    client = portal_client(creator)
    page = client.get("/me/preferences/").content.decode()
    assert 'id="id_channel_push_helptext"' in page  # unknown consent is said so
    before = ConsentChange.objects.filter(creator=creator).count()
    response = client.post("/me/preferences/", _form_as_shown(page))
    assert response.status_code == 200 and 'id="saved"' in response.content.decode()
    creator = Creator.objects.get(pk=creator.pk)
    assert (creator.consent_email, creator.consent_whatsapp, creator.consent_push) == (
        "granted",
        "denied",
        "unknown",
    )
    assert ConsentChange.objects.filter(creator=creator).count() == before


def test_ticking_an_unknown_channel_records_only_that_grant(portal_client):
    creator = creator_make("gabi", consent_email="unknown")
    client = portal_client(creator)
    data = _form_as_shown(client.get("/me/preferences/").content.decode())
    data["channel_push"] = "on"
    client.post("/me/preferences/", data)
    creator = Creator.objects.get(pk=creator.pk)
    assert (creator.consent_email, creator.consent_push) == ("unknown", "granted")
    assert list(
        ConsentChange.objects.filter(creator=creator).values_list("channel", "status", "source")
    ) == [("push", "granted", "preferences")]
