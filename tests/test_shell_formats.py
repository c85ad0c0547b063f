"""Numbers and dates are written the viewer's way on every ops page (docs/shell.md): counts
through `intcomma` (never "4499" beside "50,000"), dates through the short formats (never
"Dec. 10, 2026" beside "12/10/2026"). Checked over every GET page of the ops app, filled with
the demo data (more than a thousand creators, finished campaigns, a program, an agency,
playbooks), in both languages."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver

from agencies.models import Brief, Deliverable
from campaigns.models import Campaign
from conversations.models import Conversation
from creators.models import Creator
from education.models import ContentItem
from markets.models import Playbook
from programs.models import Program
from segments.models import Segment
from tests.support.factories import client_for, user_make

pytestmark = pytest.mark.django_db

SKIPPED = ("admin/", "api/", "accounts/", "i18n/", "p/", "me/", "u/", "learn/", "t/", "hooks/")
MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
MES = r"(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)"
LONG_DATE = re.compile(rf"\b{MONTH}\.? \d{{1,2}}, \d{{4}}|\b\d{{1,2}} de {MES} de \d{{4}}")
# Four or more digits in a row, not part of a code, URL, id, time or phone ("55 1234 5678").
RAW_NUMBER = re.compile(r"(?<![\w.,:/#@+-])(?<!\d{4} )\d{4,}(?![\w.,:/-])(?! \d{4})")
YEAR = re.compile(r"20[2-3]\d")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _pages() -> list[str]:
    finished = Campaign.objects.get(name__contains="Ofertas")
    ids = {
        "campaigns": finished.pk,
        "stats": finished.pk,
        "programs": Program.objects.get().pk,
        "creators": Creator.objects.order_by("pk").values_list("pk", flat=True)[0],
        "segments": Segment.objects.order_by("pk").values_list("pk", flat=True)[0],
        "education": ContentItem.objects.order_by("pk").values_list("pk", flat=True)[0],
        "markets": Playbook.objects.order_by("pk").values_list("pk", flat=True)[0],
        "work": Deliverable.objects.get(kind="script").pk,
        "agencies": Brief.objects.get().pk,
        "conversations": Conversation.objects.exclude(creator=None)
        .order_by("pk")
        .values_list("pk", flat=True)[0],
    }
    pages = set()
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(SKIPPED) or re.search(r"<(str|slug|path):|^<", route):
            continue
        pk = ids.get(route.split("/")[0], 1)
        pages.add("/" + re.sub(r"<int:[a-z_]+>", str(pk), route))
    return sorted(pages)


def _visible_text(content: str) -> str:
    content = re.sub(r"(?s)<(script|style|head|textarea|select|code|pre)\b.*?</\1>", " ", content)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content))


def test_every_page_writes_counts_and_dates_the_viewers_way():
    call_command("seed_demo", creators=1200, seed=3, stdout=StringIO())
    client = client_for(user_make("formats-admin", is_superuser=True, is_staff=True))
    pages, checked, problems = _pages(), 0, []
    for language in ("en", "es-MX"):
        for page in pages:
            response = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            checked += 1
            text = _visible_text(response.content.decode())
            dates = [match.group(0) for match in LONG_DATE.finditer(text)]
            numbers = [n for n in RAW_NUMBER.findall(text) if not YEAR.fullmatch(n)]
            if dates or numbers:
                problems.append((language, page, dates[:3], numbers[:3]))
    assert checked > 60  # the pages were there to check (home counts 1,200 creators)
    assert problems == []


def test_the_checks_catch_what_they_look_for():
    assert LONG_DATE.search("sent Dec. 10, 2026 at noon")
    assert LONG_DATE.search("enviada el 10 de diciembre de 2026")
    assert RAW_NUMBER.findall(" 4499 creators ") == ["4499"]
    assert RAW_NUMBER.findall("Open conversations 30 1200 creators") == ["1200"]
    assert RAW_NUMBER.findall(" 50,000 creators, 55 1234 5678, #1234, 10:3045 ") == []
