"""schemathesis (every check) against the live API with a manager's token: no crash, no
undocumented status code, no answer that breaks its schema, valid data accepted and invalid
data refused (issue 16). Ids in paths are pinned to seeded objects so the operations do more
than answer 404; everything else schemathesis generates from /api/openapi.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.contrib.auth.models import Group

from accounts.services import api_token_create
from campaigns.models import Delivery
from channels.models import InboxMessage
from creators.models import ImportJob
from tests.campaigns.factories import campaign_make, creators_make
from tests.programs.factories import program_make
from tracking.tokens import creator_app_token_make

ST = Path(sys.executable).with_name("st")
# Fuzzing only, a few examples per operation: about 35 s here. The coverage phase (boundary
# values, every unexpected method; ~1,000 requests, ~2 min) ran clean by hand: docs/api.md.
MAX_EXAMPLES = 10


# Valid by the schema yet refused with 400 (a reason, and a path where one field is at
# fault), because validity here depends on more than JSON Schema can say: a message's
# templates must render and a schedule needs a complete campaign and a future time
# (POST /campaigns); the rule tree's grammar, field by field, docs/segments.md
# (POST /segments); policies are checked against the campaign's channels and variants
# (PUT policies); an import's CSV content (POST /creators/import). Only the
# positive_data_acceptance check is told so; every other check runs on them as on the rest.
ALSO_400 = ["2xx", "400", "401", "403", "404", "409"]
CONTENT_CHECKED = [
    ("POST", "/api/campaigns"),
    ("POST", "/api/segments"),
    ("PUT", "/api/campaigns/{pk}/policies"),
    ("POST", "/api/creators/import"),
    # A reply is one of body or template, and goes only to a creator who may receive it: the
    # pinned creator opted out of WhatsApp, so a valid reply is a 409 and nothing is sent.
    ("POST", "/api/creators/{handle}/conversation"),
]


def _config(
    tmp_path: Path,
    *,
    campaign_id: int,
    segment_id: int,
    handle: str,
    opted_out_handle: str,
    job_id: int,
    program_id: int,
    inbox_id: int,
    creator_token: str,
) -> Path:
    pinned: dict[str, dict[str, object]] = {
        "/api/campaigns/{pk}": {"path.pk": campaign_id},
        "/api/campaigns/{pk}/stats": {"path.pk": campaign_id},
        "/api/campaigns/{pk}/policies": {"path.pk": campaign_id},
        "/api/campaigns/{pk}/launch": {"path.pk": campaign_id},
        "/api/campaigns/{pk}/pause": {"path.pk": campaign_id},
        "/api/campaigns/{pk}/resume": {"path.pk": campaign_id},
        "/api/campaigns/{pk}/cancel": {"path.pk": campaign_id},
        "/api/segments/{segment_id}/preview": {"path.segment_id": segment_id},
        "/api/creators/{handle}": {"path.handle": handle},
        "/api/creators/{handle}/devices": {"path.handle": handle},
        "/api/creators/{handle}/conversation": {"path.handle": opted_out_handle},
        "/api/creators/imports/{job_id}": {"path.job_id": job_id},
        "/api/programs/{program_id}/leaderboard": {"path.program_id": program_id},
        "/api/inbox/{pk}/read": {"path.pk": inbox_id},
    }
    lines = []
    for method, path in CONTENT_CHECKED:
        lines += ["[[operations]]", f"include-path = {json.dumps(path)}"]
        lines += [f"include-method = {json.dumps(method)}"]
        lines += [f"checks.positive_data_acceptance.expected-statuses = {json.dumps(ALSO_400)}"]
        lines += _parameters(pinned.pop(path, {}))
    # The creator app's operations take the creator's token, not the manager's.
    for path in ("/api/inbox", "/api/inbox/{pk}/read"):
        lines += ["[[operations]]", f"include-path = {json.dumps(path)}"]
        lines += [f"headers = {{ Authorization = {json.dumps(f'Bearer {creator_token}')} }}"]
        lines += _parameters(pinned.pop(path, {}))
    for path, parameters in pinned.items():
        lines += ["[[operations]]", f"include-path = {json.dumps(path)}"]
        lines += _parameters(parameters)
    config = tmp_path / "schemathesis.toml"
    config.write_text("\n".join(lines))
    return config


def _parameters(parameters: dict[str, object]) -> list[str]:
    if not parameters:
        return [""]
    pairs = [f"{json.dumps(name)} = {json.dumps(value)}" for name, value in parameters.items()]
    return ["[operations.parameters]", *pairs, ""]


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_nothing_wrong(live_server, django_user_model, tmp_path):
    user = django_user_model.objects.create_user(username="st-manager", password="x")
    user.groups.add(Group.objects.get(name="manager"))
    token = api_token_create(user=user)
    creators = creators_make(3)
    creators[2].consent_whatsapp = "denied"
    creators[2].save(update_fields=["consent_whatsapp"])
    campaign = campaign_make(channels=("push", "inbox"))
    program = program_make()
    job = ImportJob.objects.create(file_name="creators.csv", total_rows=0)
    delivery = Delivery.objects.create(
        campaign=campaign, creator=creators[0], channel="inbox", locale="es-MX"
    )
    inbox = InboxMessage.objects.create(
        creator=creators[0], delivery=delivery, title="Hola", body="Hola"
    )
    config = _config(
        tmp_path,
        campaign_id=campaign.pk,
        segment_id=campaign.segment_id,
        handle=creators[0].handle,
        opted_out_handle=creators[2].handle,
        job_id=job.pk,
        program_id=program.pk,
        inbox_id=inbox.pk,
        creator_token=creator_app_token_make(creator_id=creators[0].pk),
    )

    # Read the schema first: building it is slow on a busy machine, and st waits only 10 s.
    schema = tmp_path / "openapi.json"
    with urlopen(f"{live_server.url}/api/openapi.json", timeout=120) as response:
        schema.write_bytes(response.read())

    result = subprocess.run(
        [
            str(ST),
            "--config-file",
            str(config),
            "run",
            str(schema),
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "16",
            "--workers",
            "1",
            "--no-shrink",
            "--request-timeout",
            "20",
            "--warnings",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
