"""Altavoz records its own events where they happen, in the same transaction as the change."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from conversations.services import inbound_message_file
from creators.models import Channel, ConsentChange
from creators.services import creator_consent_set
from education.services import progress_report
from events.models import Event
from programs.band_events import program_bands_reached_emit
from programs.metric_import import creator_metrics_record
from programs.services import enrolment_create, program_enrol_eligible
from tests.conversations.conftest import inbound_params
from tests.support.factories import creator_make, creators_make, lesson_make, program_make

pytestmark = pytest.mark.django_db


def _events(name):
    return list(
        Event.objects.filter(name=name).order_by("id").values_list("creator_id", "props", "source")
    )


def test_enrolling_by_link_emits_program_enrolled_once():
    program = program_make()
    creator = creator_make("ana")
    enrolment_create(program=program, creator=creator, source="link")
    enrolment_create(program=program, creator=creator, source="link")
    assert _events("program_enrolled") == [
        (creator.pk, {"program": program.pk, "source": "link"}, "altavoz")
    ]


def test_enrolling_the_eligible_emits_one_event_per_new_enrolment():
    creators = creators_make(3)
    program = program_make()
    enrolment_create(program=program, creator=creators[0], source="link")
    new = program_enrol_eligible(program=program)
    assert new == 2
    enrolled = _events("program_enrolled")
    assert sorted(creator_id for creator_id, _props, _source in enrolled) == sorted(
        creator.pk for creator in creators
    )
    assert enrolled[1][1] == {"program": program.pk, "source": "auto"}


def _metrics(handle, *values):
    return [
        (line, {"handle": handle, "date": f"2026-11-{day:02d}", "metric": "gmv", "value": value})
        for line, (day, value) in enumerate(values, start=2)
    ]


def test_metric_import_emits_metric_imported_and_each_band_once(
    django_capture_on_commit_callbacks,
):
    program = program_make()  # GMV ≥ 1,000 in November 2026
    ana = creator_make("ana")
    enrolment_create(program=program, creator=ana, source="link")
    with django_capture_on_commit_callbacks(execute=True):
        creator_metrics_record(rows=_metrics("ana", (3, "600")))
    assert _events("metric_imported") == [
        (ana.pk, {"metric": "gmv", "date": "2026-11-03", "value": 600.0}, "altavoz")
    ]
    assert _events("band_reached") == [
        (ana.pk, {"program": program.pk, "band": "halfway"}, "altavoz")
    ]

    with django_capture_on_commit_callbacks(execute=True):
        creator_metrics_record(rows=_metrics("ana", (3, "600")))  # the same again: no new band
    assert len(_events("band_reached")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        creator_metrics_record(rows=_metrics("ana", (4, "450")))
    assert [props["band"] for _id, props, _s in _events("band_reached")] == ["halfway", "done"]
    assert len(_events("metric_imported")) == 3


def test_bands_of_creators_not_enrolled_are_not_emitted():
    program_make()
    ana = creator_make("ana")
    creator_metrics_record(rows=_metrics("ana", (3, "2000")))
    assert program_bands_reached_emit(creator_ids={ana.pk}) == 0
    assert _events("band_reached") == []


def test_lesson_progress_emits_started_then_completed_once_each():
    creator = creator_make("ana")
    item = lesson_make("buena-luz")
    progress_report(creator=creator, item=item, percent=10)
    progress_report(creator=creator, item=item, percent=60)
    progress_report(creator=creator, item=item, percent=100)
    progress_report(creator=creator, item=item, percent=100)
    props = {"lesson": item.pk, "slug": "buena-luz", "kind": "guide"}
    assert _events("lesson_started") == [(creator.pk, props, "altavoz")]
    assert _events("lesson_completed") == [(creator.pk, props, "altavoz")]


def test_an_inbound_whatsapp_message_emits_whatsapp_replied():
    creator = creator_make("ana", phone="+525512345678")
    received_at = timezone.now()
    message, _confirmation = inbound_message_file(
        params=inbound_params(wa_id="5215512345678", body="Me interesa"), received_at=received_at
    )
    assert message is not None
    event = Event.objects.get(name="whatsapp_replied")
    assert (event.creator_id, event.occurred_at) == (creator.pk, received_at)
    assert event.props == {"campaign": None, "keyword": "", "message": message.pk}


def test_an_unknown_number_emits_nothing():
    inbound_message_file(params=inbound_params(wa_id="5215500000000"), received_at=timezone.now())
    assert not Event.objects.exists()


def test_denying_consent_emits_unsubscribed_once_per_channel():
    creator = creator_make("ana")
    source = ConsentChange.Source.WHATSAPP_KEYWORD
    creator_consent_set(creator=creator, channel=Channel.EMAIL, status="denied", source=source)
    creator_consent_set(creator=creator, channel=Channel.EMAIL, status="denied", source=source)
    creator_consent_set(creator=creator, channel=Channel.PUSH, status="granted", source=source)
    assert _events("unsubscribed") == [
        (creator.pk, {"channel": "email", "source": str(source)}, "altavoz")
    ]


def test_emitted_events_roll_back_with_their_change():
    from django.db import transaction

    creator = creator_make("ana")
    program = program_make()
    with pytest.raises(RuntimeError), transaction.atomic():
        enrolment_create(program=program, creator=creator, source="link")
        raise RuntimeError
    assert not Event.objects.exists()


def test_metric_values_keep_their_number():
    program = program_make()
    ana = creator_make("ana")
    enrolment_create(program=program, creator=ana, source="link")
    creator_metrics_record(rows=_metrics("ana", (5, "12.5")))
    [(_id, props, _source)] = _events("metric_imported")
    assert Decimal(str(props["value"])) == Decimal("12.5")
    assert date.fromisoformat(props["date"]) == date(2026, 11, 5)


def test_consumers_hear_of_an_emitted_event_when_the_change_commits(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    from events.consumers import consumer_register, consumer_unregister

    creator = creator_make("ana")
    program = program_make()
    heard: list = []
    consumer_register(heard.extend)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            enrolment_create(program=program, creator=creator, source="link")
            assert heard == []
    finally:
        consumer_unregister(heard.extend)
    [event] = heard
    assert (event.creator_id, event.name, event.props) == (
        creator.pk,
        "program_enrolled",
        {"program": program.pk, "source": "link"},
    )
