from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.loader import render_to_string

from creators.models import Creator
from events import selectors


def creator_events_section(request: HttpRequest, creator: Creator) -> str:
    """The creator page's "Events" section: newest first, 25 a page (`events_page`),
    registered in EventsConfig."""
    page = Paginator(selectors.creator_events_get(creator_id=creator.pk), 25).get_page(
        request.GET.get("events_page")
    )
    rows = [(event, json.dumps(event.props, ensure_ascii=False, sort_keys=True)) for event in page]
    return render_to_string(
        "events/_creator_events.html",
        {"page": page, "rows": rows, "creator": creator},
        request=request,
    )
