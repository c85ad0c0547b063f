"""Dispatch: claim deliveries in batches, render, send through the channel adapters, settle.

At most once: a claim flips a batch to `claimed`; each chunk is flipped to `sending`, and
committed, right before its provider calls start; settling only touches rows still
`claimed`/`sending`. A worker that dies leaves `claimed` rows (never sent: the watchdog
returns them to `pending`) and `sending` rows (maybe sent: the watchdog turns them
`unknown`: a provider's callback or event settles them, else campaigns/reconcile.py asks
the provider and sends again what it provably never took, else an operator). Transient
failures go back to `pending` with an exponential, jittered `not_before` (honouring
Retry-After); permanent ones are `failed` with the provider's code.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import uvloop
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from campaigns import fanout, policies, whatsapp_window
from campaigns.delivery_tracking import delivery_tracking
from campaigns.exceptions import OutsideWhatsAppWindow, TemplateRenderFailed
from campaigns.models import Campaign, Delivery, Message, SequenceStep
from campaigns.rendering import MessageRenderer, campaign_context_build, creator_context_build
from campaigns.triggers import trigger_event_contexts
from channels.base import ChannelAdapter, Outcome, Outgoing, SendResult
from channels.ratelimit import RateLimiter
from channels.registry import adapter_class, adapter_for, provider_for
from common.sql import ids_any
from common.system_messages import SystemMessage
from creators.models import Creator, Device

logger = logging.getLogger(__name__)

# The Creator columns every outgoing message carries, whatever its templates read.
OUTGOING_CREATOR_FIELDS = ("id", "email", "phone", "name", "locale")


@dataclass(slots=True)
class Claimed:
    id: int
    channel: str
    creator_id: int
    locale: str
    attempts: int
    variant: str = ""
    step: int = 0
    run: int = 0


@dataclass
class DispatchReport:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def heartbeat_key(campaign_id: int) -> str:
    return f"altavoz:dispatch:alive:{campaign_id}"


def deliveries_claim(
    *,
    campaign_id: int,
    run: int | None,
    limit: int,
    now: datetime | None = None,
    cap: policies.FrequencyCap | None = None,
    cap_channels: tuple[str, ...] = (),
) -> list[Claimed]:
    """Flip up to `limit` due pending deliveries to `claimed` and return them (committed).

    Under a frequency cap the creator's messages are counted again, under the channels' cap
    locks: one that would go over the cap becomes `skipped_cap` instead, and is not returned.
    `run` None: every run's (a triggered campaign sends many runs at once, campaigns/triggers.py)."""
    now = now or timezone.now()
    table = Delivery._meta.db_table
    skip_locked = (
        "FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    adapt = connection.ops.adapt_datetimefield_value
    status_sql = "%s"
    cap_params: list[str | int | None] = [Delivery.Status.CLAIMED]
    if cap is not None:
        recent = policies.cap_count_sql(
            creator=f"{table}.creator_id",
            channel=f"{table}.channel",
            states=policies.CAP_CLAIM_STATES,
            exclude_id=f"{table}.id",
        )
        status_sql = f"CASE WHEN {recent} >= %s THEN %s ELSE %s END"
        cap_params = [
            adapt(now - cap.window),
            cap.limit,
            Delivery.Status.SKIPPED_CAP,
            Delivery.Status.CLAIMED,
        ]
    while True:
        rows = _claim_once(
            table=table,
            status_sql=status_sql,
            cap_params=cap_params,
            cap=cap,
            cap_channels=cap_channels,
            now=adapt(now),
            skip_locked=skip_locked,
            campaign_id=campaign_id,
            run=run,
            limit=limit,
        )
        claimed = [
            Claimed(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[8])
            for row in rows
            if row[7] == Delivery.Status.CLAIMED
        ]
        # A batch that was all over the cap is not the end of the run: claim on.
        if claimed or not rows:
            return claimed


def _claim_once(
    *,
    table: str,
    status_sql: str,
    cap_params: list[str | int | None],
    cap: policies.FrequencyCap | None,
    cap_channels: tuple[str, ...],
    now: Any,
    skip_locked: str,
    campaign_id: int,
    run: int | None,
    limit: int,
) -> list[tuple]:
    run_filter, run_params = ("AND run = %s", [run]) if run is not None else ("", [])
    with transaction.atomic(), connection.cursor() as cursor:
        if cap is not None:
            policies.cap_lock(cursor, list(cap_channels))
        cursor.execute(
            f"""
            UPDATE {table} SET status = {status_sql}, claimed_at = %s, updated_at = %s,
                   attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM {table}
                WHERE campaign_id = %s {run_filter} AND status = %s
                  AND (not_before IS NULL OR not_before <= %s)
                ORDER BY id LIMIT %s {skip_locked}
            )
            RETURNING id, channel, creator_id, locale, attempts, variant, step, status, run
            """,
            [*cap_params, now, now, campaign_id, *run_params, Delivery.Status.PENDING, now, limit],
        )
        return cursor.fetchall()


def deliveries_mark_sending(*, delivery_ids: list[int]) -> None:
    """Committed before the provider calls for these deliveries start."""
    now = timezone.now()
    Delivery.objects.filter(pk__in=ids_any(delivery_ids), status=Delivery.Status.CLAIMED).update(
        status=Delivery.Status.SENDING, claimed_at=now, updated_at=now
    )


def backoff_until(*, attempts: int, retry_after: float | None, now: datetime) -> datetime:
    """Exponential backoff with jitter, never sooner than the provider's Retry-After."""
    ceiling = min(
        settings.DISPATCH_BACKOFF_MAX, settings.DISPATCH_BACKOFF_BASE * 2 ** max(0, attempts - 1)
    )
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + timedelta(seconds=delay)


def deliveries_settle(*, claimed: dict[int, Claimed], results: list[SendResult]) -> dict[str, int]:
    """Record each result on its delivery, only where a worker still holds the delivery.

    One `UPDATE … FROM (VALUES …)` per batch: the ORM's bulk_update builds a CASE per
    field and row, which cost more than the sends themselves at a thousand rows."""
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    dead_tokens: list[str] = []
    values: list[tuple] = []
    for result in results:
        status, sent_at, provider_id, not_before = Delivery.Status.PENDING, None, "", None
        error_code = result.error_code[:64]
        if result.outcome is Outcome.ACCEPTED:
            status, sent_at, provider_id = (
                Delivery.Status.SENT,
                now,
                result.provider_message_id[:128],
            )
        elif result.outcome is Outcome.REJECTED:
            status = Delivery.Status.FAILED
        elif result.outcome is Outcome.UNKNOWN:
            status = Delivery.Status.UNKNOWN
        elif claimed[result.delivery_id].attempts >= settings.DISPATCH_MAX_ATTEMPTS:
            status, error_code = (
                Delivery.Status.FAILED,
                f"retries_exhausted:{result.error_code}"[:64],
            )
        else:
            not_before = backoff_until(
                attempts=claimed[result.delivery_id].attempts,
                retry_after=result.retry_after,
                now=now,
            )
        counts[status] += 1
        values.append(
            (
                result.delivery_id,
                status,
                sent_at,
                provider_id,
                error_code,
                result.error_message[:500],
                not_before,
            )
        )
        dead_tokens.extend(result.dead_device_tokens)
    # By delivery id: rows are locked in id order, as webhook batches lock them.
    values.sort(key=lambda value: value[0])
    for attempt in range(3):
        try:
            with transaction.atomic():
                _deliveries_update(values, now=now)
                if dead_tokens:
                    Device.objects.filter(token__in=dead_tokens).delete()
            break
        except OperationalError as error:
            # Another transaction locking the same rows in another order: PostgreSQL picked
            # this one to roll back. Nothing was written; settle again.
            if not isinstance(error.__cause__, DeadlockDetected) or attempt == 2:
                raise
    return counts


def _deliveries_update(values: list[tuple], *, now: datetime) -> None:
    if not values:
        return
    table = Delivery._meta.db_table
    held = (Delivery.Status.CLAIMED, Delivery.Status.SENDING)
    with connection.cursor() as cursor:
        # One array per column: eight parameters whatever the batch size, so the statement
        # stays short (psycopg parses a client-side query per execution, and a VALUES list
        # of seven placeholders per row cost more than the sends themselves).
        columns = list(zip(*values, strict=True))
        # Lock first, in id order (an UPDATE ... FROM locks rows in its join's order, which
        # can cross a webhook batch's id-ordered locks and deadlock).
        cursor.execute(
            f"SELECT id FROM {table} WHERE id = ANY(%s::bigint[]) AND status IN (%s, %s)"
            " ORDER BY id FOR NO KEY UPDATE",
            [list(columns[0]), *held],
        )
        cursor.execute(
            f"""
            UPDATE {table} SET status = v.status, sent_at = v.sent_at,
                provider_message_id = v.provider_message_id, error_code = v.error_code,
                error_message = v.error_message, not_before = v.not_before, updated_at = %s
            FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::varchar[],
                        %s::varchar[], %s::text[], %s::timestamptz[])
                AS v (id, status, sent_at, provider_message_id, error_code, error_message,
                      not_before)
            WHERE {table}.id = v.id AND {table}.status IN (%s, %s)
            """,
            [now, *(list(column) for column in columns), *held],
        )


class Dispatcher:
    """Sends one campaign run: holds the compiled templates, adapters and one event loop."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.run = campaign.last_run
        # A triggered campaign (campaigns/triggers.py) sends every run's deliveries at once,
        # each with the event that fired it in the template's context.
        self.triggered = bool(campaign.trigger)
        self.claim_run: int | None = None if self.triggered else self.run
        self.campaign_context = campaign_context_build(campaign)
        self.renderers = {
            (message.step, message.channel, message.locale, message.variant): MessageRenderer(
                message.channel, message.fields, locale=message.locale
            )
            for message in Message.objects.filter(campaign=campaign)
        }
        # Only the columns the templates read (and the message needs) are fetched per batch:
        # a JSON or date column parsed for every creator and never read is pure cost.
        self.creator_fields = tuple(
            sorted(
                set(OUTGOING_CREATOR_FIELDS).union(
                    *(renderer.creator_columns for renderer in self.renderers.values())
                )
            )
        )
        self.cap = policies.campaign_frequency_cap(campaign)
        # A sequence step may send on a channel of its own: its claims take that lock too.
        self.cap_channels = tuple(
            sorted(
                set(campaign.channel_priority or campaign.channels)
                | set(
                    SequenceStep.objects.filter(campaign=campaign).values_list("channel", flat=True)
                )
            )
        )
        self.adapters: dict[str, ChannelAdapter] = {}
        # Each channel's adapter class, asked what the channel needs (channels/base.py).
        self.adapter_classes: dict[str, type[ChannelAdapter]] = {}
        self.limiters: dict[str, RateLimiter] = {}
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.slot_locks: dict[str, asyncio.Lock] = {}
        # uvloop: the same asyncio API on libuv, markedly cheaper per request for aiohttp.
        self.loop = uvloop.new_event_loop()
        # Rendering the next batch runs in its own thread while the last one is on the wire.
        self.render_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        # Marking a chunk `sending` has a thread (and connection) of its own, so the next chunk
        # never waits behind a batch's claim or settle while provider slots stand idle. Each
        # chunk's mark is awaited before its send, and its settle comes after: still ordered.
        self.mark_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mark")
        self.link_cache: dict[str, int] = {}

    def adapter_class(self, channel: str) -> type[ChannelAdapter]:
        found = self.adapter_classes.get(channel)
        if found is None:
            found = self.adapter_classes[channel] = adapter_class(channel)
        return found

    def close(self) -> None:
        for adapter in self.adapters.values():
            self.loop.run_until_complete(adapter.close())
        # Claims and settles ran in asgiref's sync thread, renders and marks in their pools:
        # release the database connections those threads opened.
        self.loop.run_until_complete(sync_to_async(connections.close_all, thread_sensitive=True)())
        for pool in (self.render_pool, self.mark_pool):
            pool.submit(connections.close_all).result()
            pool.shutdown()
        self.loop.close()

    def batch_start(self) -> bool:
        """Whether to claim another batch (the campaign is still sending); beats the heart."""
        if not Campaign.objects.filter(
            pk=self.campaign.pk, status=Campaign.Status.SENDING
        ).exists():
            return False
        cache.set(heartbeat_key(self.campaign.pk), 1, timeout=settings.DISPATCH_HEARTBEAT_SECONDS)
        return True

    def run_batches(self, *, max_batches: int | None = None) -> DispatchReport:
        return self.loop.run_until_complete(self._run_batches(max_batches))

    async def _run_batches(self, max_batches: int | None) -> DispatchReport:
        """Claim, render and send batch after batch, keeping up to DISPATCH_BATCHES_IN_FLIGHT
        on the wire, so the next batch is claimed and rendered during the providers' latency."""
        report = DispatchReport()
        in_flight: set[asyncio.Future[dict[str, int]]] = set()
        batches = 0

        def collect(done: set[asyncio.Future[dict[str, int]]]) -> None:
            for future in done:
                for status, count in future.result().items():
                    report.outcomes[status] += count

        while max_batches is None or batches < max_batches:
            if not await _in_db_thread(self.batch_start)():
                break
            claimed = await _in_db_thread(deliveries_claim)(
                campaign_id=self.campaign.pk,
                run=self.claim_run,
                limit=settings.DISPATCH_BATCH_SIZE,
                cap=self.cap,
                cap_channels=self.cap_channels,
            )
            if not claimed:
                break
            batches += 1
            report.claimed += len(claimed)
            outgoing, failures = await self.loop.run_in_executor(
                self.render_pool, self.outgoing_build, claimed
            )
            in_flight.add(asyncio.ensure_future(self._send_and_settle(claimed, outgoing, failures)))
            while len(in_flight) >= settings.DISPATCH_BATCHES_IN_FLIGHT:
                done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                collect(done)
        if in_flight:
            done, _pending = await asyncio.wait(in_flight)
            collect(done)
        return report

    async def _send_and_settle(
        self,
        claimed: list[Claimed],
        outgoing: dict[str, list[Outgoing]],
        failures: list[SendResult],
    ) -> dict[str, int]:
        results = failures + await self._send_all(outgoing)
        by_id = {row.id: row for row in claimed}
        counts = await _in_db_thread(deliveries_settle)(claimed=by_id, results=results)
        rejected = [result.delivery_id for result in results if result.outcome is Outcome.REJECTED]
        if rejected and self.campaign.channel_priority:
            # Sent by priority: a permanent failure moves the creator to their next channel,
            # which this dispatcher (or another) claims like any pending delivery.
            await _in_db_thread(fanout.fallback_deliveries_create)(
                campaign=self.campaign, run=self.claim_run, failed_ids=rejected
            )
        return counts

    def outgoing_build(
        self, claimed: list[Claimed]
    ) -> tuple[dict[str, list[Outgoing]], list[SendResult]]:
        creator_ids = {row.creator_id for row in claimed}
        # One moment for the batch: the WhatsApp window is checked at it, in the query.
        now = timezone.now()
        creators = {
            row["id"]: row
            for row in Creator.objects.filter(id__in=ids_any(creator_ids)).values(
                *self.creator_fields,
                whatsapp_window_open=whatsapp_window.window_open_expression(now=now),
            )
        }
        channels = {row.channel for row in claimed}
        unsubscribe_channels = {
            channel for channel in channels if self.adapter_class(channel).needs_unsubscribe_links
        }
        tokens: dict[int, list[str]] = defaultdict(list)
        if any(self.adapter_class(channel).needs_device_tokens for channel in channels):
            for creator_id, token in Device.objects.filter(
                creator_id__in=ids_any(creator_ids)
            ).values_list("creator_id", "token"):
                tokens[creator_id].append(token)
        events = (
            trigger_event_contexts(
                campaign_id=self.campaign.pk, keys={(row.run, row.creator_id) for row in claimed}
            )
            if self.triggered
            else {}
        )
        outgoing: dict[str, list[Outgoing]] = defaultdict(list)
        failures: list[SendResult] = []
        for row in claimed:
            creator = creators[row.creator_id]
            try:
                outgoing[row.channel].append(
                    self.outgoing_one(
                        row,
                        creator,
                        tuple(tokens.get(row.creator_id, ())),
                        event=events.get((row.run, row.creator_id)),
                        unsubscribe=row.channel in unsubscribe_channels,
                    )
                )
            except (TemplateRenderFailed, OutsideWhatsAppWindow) as error:
                failures.append(
                    SendResult(
                        row.id,
                        Outcome.REJECTED,
                        error_code=error.code,
                        # The system's notes, kept as codes and read when shown: a render
                        # failure's names the template's own field, line and cause.
                        error_message="delivery.outside_whatsapp_window"
                        if isinstance(error, OutsideWhatsAppWindow)
                        else render_failed_note(error),
                    )
                )
        return outgoing, failures

    def outgoing_one(
        self,
        row: Claimed,
        creator: dict[str, Any],
        device_tokens: tuple[str, ...],
        *,
        event: dict[str, Any] | None = None,
        unsubscribe: bool = False,
    ) -> Outgoing:
        """`creator`: a row of `outgoing_build`'s query (with `whatsapp_window_open`);
        `unsubscribe`: whether the channel carries List-Unsubscribe links."""
        tracking = delivery_tracking()
        links = tracking.links_for(
            delivery_id=row.id,
            channel=row.channel,
            locale=row.locale,
            campaign_id=self.campaign.pk,
            link_cache=self.link_cache,
        )
        renderer = (
            self.renderers.get((row.step, row.channel, row.locale, row.variant))
            or self.renderers.get(
                (row.step, row.channel, self.campaign.default_locale, row.variant)
            )
            or self.renderers.get((row.step, row.channel, row.locale, ""))
            or self.renderers[(row.step, row.channel, self.campaign.default_locale, "")]
        )
        content = tracking.content_add(
            renderer.render(
                creator=creator_context_build(creator),
                campaign=self.campaign_context,
                links=links,
                event=event,
            ),
            channel=row.channel,
            links=links,
        )
        # WhatsApp: the body or the template by the creator's 24-hour window, checked now
        # (it may have closed since fan-out); other channels' content is returned as is.
        content = whatsapp_window.content_for_creator(
            content, channel=row.channel, window_open=creator["whatsapp_window_open"]
        )
        return Outgoing(
            delivery_id=row.id,
            creator_id=row.creator_id,
            campaign_id=self.campaign.pk,
            locale=row.locale,
            content=content,
            email=creator["email"],
            phone=creator["phone"],
            name=creator["name"],
            device_tokens=device_tokens,
            status_callback_url=links.status_callback(),
            # Only a channel that carries List-Unsubscribe gets a token signed for it.
            unsubscribe_url=links.unsubscribe() if unsubscribe else "",
            unsubscribe_post_url=links.unsubscribe_one_click() if unsubscribe else "",
            categories=(f"campaign-{self.campaign.pk}", self.campaign.kind),
        )

    async def _send_all(self, outgoing: dict[str, list[Outgoing]]) -> list[SendResult]:
        results = await asyncio.gather(
            *(self._send_channel(channel, items) for channel, items in outgoing.items())
        )
        return [result for channel_results in results for result in channel_results]

    async def _send_channel(self, channel: str, items: list[Outgoing]) -> list[SendResult]:
        """Send in small chunks, each marked `sending` just before it goes and only once the
        rate limit granted it and concurrency slots are free for all of it, so a worker killed
        mid-batch leaves `sending` (later `unknown`) only messages that were on their way."""
        adapter = self.adapters.get(channel)
        if adapter is None:
            adapter = self.adapters[channel] = adapter_for(channel)
        limiter = self.limiters.setdefault(channel, RateLimiter(provider_for(channel)))
        slots = self.slots.setdefault(channel, asyncio.Semaphore(settings.CHANNEL_CONCURRENCY))
        # One chunk at a time takes its slots: two batches each holding part of what their
        # next chunk needs would otherwise wait on each other forever. A chunk is never
        # larger than the channel's concurrency, so the slots it waits for always come back.
        slots_taking = self.slot_locks.setdefault(channel, asyncio.Lock())
        chunk_size = max(1, min(settings.DISPATCH_SEND_CHUNK, settings.CHANNEL_CONCURRENCY))
        sends: list[asyncio.Future[list[SendResult]]] = []
        start = 0
        async for granted in limiter.grants(len(items)):
            end = start + granted
            while start < end:
                chunk = items[start : min(end, start + chunk_size)]
                start += len(chunk)
                async with slots_taking:
                    for _item in chunk:
                        await slots.acquire()
                await self._mark_sending([item.delivery_id for item in chunk])
                sends.append(asyncio.ensure_future(self._send_chunk(adapter, chunk, slots)))
        return [result for chunk in await asyncio.gather(*sends) for result in chunk]

    async def _send_chunk(
        self, adapter: ChannelAdapter, chunk: list[Outgoing], slots: asyncio.Semaphore
    ) -> list[SendResult]:
        try:
            return await adapter.send_batch(chunk)
        finally:
            for _item in chunk:
                slots.release()

    async def _mark_sending(self, delivery_ids: list[int]) -> None:
        await self.loop.run_in_executor(
            self.mark_pool, functools.partial(deliveries_mark_sending, delivery_ids=delivery_ids)
        )


def _in_db_thread(function):
    """Run a database function from the event loop in asgiref's one sync thread: claims,
    marks and settles stay ordered on one connection."""
    return sync_to_async(function, thread_sensitive=True)


def campaign_dispatch(*, campaign_id: int, max_batches: int | None = None) -> DispatchReport:
    """Send a campaign's due deliveries until none are left (or it is paused or cancelled)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != Campaign.Status.SENDING:
        return DispatchReport()
    dispatcher = Dispatcher(campaign)
    try:
        return dispatcher.run_batches(max_batches=max_batches)
    finally:
        dispatcher.close()


def next_due_at(*, campaign_id: int, run: int | None) -> datetime | None:
    """When the earliest deferred (retrying) delivery of the run (None: any run) becomes due."""
    rows = Delivery.objects.filter(campaign_id=campaign_id, status=Delivery.Status.PENDING)
    row = (
        (rows if run is None else rows.filter(run=run))
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
    return row


def deliveries_mark_lost(*, older_than: timedelta | None = None) -> int:
    """Deliveries a dead worker held past their lease: `claimed` ones were never handed to a
    provider and go back to `pending`; `sending` ones may have been, and become `unknown`."""
    lease = (
        older_than if older_than is not None else timedelta(seconds=settings.DISPATCH_LEASE_SECONDS)
    )
    now = timezone.now()
    Delivery.objects.filter(status=Delivery.Status.CLAIMED, claimed_at__lt=now - lease).update(
        status=Delivery.Status.PENDING, updated_at=now
    )
    return Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease
    ).update(
        status=Delivery.Status.UNKNOWN,
        error_code="worker_lost",
        error_message="delivery.worker_lost",  # a system message's code (channels/base.py)
        updated_at=now,
    )


def render_failed_note(error: TemplateRenderFailed) -> str:
    """A render failure's note for `Delivery.error_message`: the template's field and line and
    the cause (campaigns/rendering/causes.py), all codes and short parameters, read in the
    viewer's language. Cut to the field's length, its JSON would no longer read as a note:
    one that would not fit says less instead."""
    note = SystemMessage(
        "delivery.render_failed", field=error.field, line=error.line, cause=error.cause
    ).as_text()
    if len(note) <= (Delivery._meta.get_field("error_message").max_length or 500):
        return note
    return SystemMessage(
        "delivery.render_failed",
        field=error.field[:60],
        line=error.line,
        cause=SystemMessage("render.failed"),
    ).as_text()
