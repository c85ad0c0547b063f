"""A progress import moves creators between bands; a band message reaches each once."""

import io

from campaigns import fanout
from campaigns.models import Delivery
from programs import metric_import, selectors, services
from programs.models import BandMessageMark
from tests.support.factories import creators_make, program_make

INBOX = [{"channel": "inbox", "locale": "es-MX", "title": "¡Vas a la mitad!", "body": "Sigue así"}]


def _import(lines: str) -> metric_import.MetricImportResult:
    return metric_import.creator_metrics_import_csv(
        file=io.BytesIO(("handle,date,metric,value\n" + lines).encode())
    )


def _bands(program) -> dict[str, str]:
    return {
        row.creator.handle: row.band
        for row in selectors.program_progress(program=program).select_related("creator")
    }


def _band_send(program, band):
    campaign = services.band_message_send(program=program, band=band, messages=INBOX)
    fanout.deliveries_create(campaign=campaign, run=campaign.last_run)
    return set(Delivery.objects.filter(campaign=campaign).values_list("creator__handle", flat=True))


def test_import_moves_creators_between_bands_and_band_message_goes_once(db):
    creators_make(4)
    program = program_make()
    assert services.program_enrol_eligible(program=program) == 4

    result = _import(
        "creador_0,2026-11-02,gmv,600\n"
        "creador_1,2026-11-02,gmv,100\n"
        "creador_2,2026-11-02,gmv,950\n"
        "creador_3,2026-10-31,gmv,5000\n"  # before the period: does not count
    )
    assert result.errors == []
    assert _bands(program) == {
        "creador_0": "halfway",
        "creador_1": "started",
        "creador_2": "almost",
        "creador_3": "not_started",
    }

    assert _band_send(program, "halfway") == {"creador_0"}

    # creador_1 catches up to halfway; creador_0 is still there and already had the message.
    _import("creador_1,2026-11-03,gmv,450\n")
    assert _bands(program)["creador_1"] == "halfway"
    assert _band_send(program, "halfway") == {"creador_1"}

    # Nobody new: refused, and no campaign is left behind.
    try:
        services.band_message_send(program=program, band="halfway", messages=INBOX)
        raise AssertionError("a band message with nobody new was sent")
    except services.BandEmpty:
        pass
    assert BandMessageMark.objects.filter(program=program, band="halfway").count() == 2

    # A later day moves creador_0 on to "done": the done message reaches only them.
    _import("creador_0,2026-11-04,gmv,400\n")
    assert _bands(program)["creador_0"] == "done"
    assert _band_send(program, "done") == {"creador_0"}
