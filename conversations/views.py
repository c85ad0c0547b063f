"""The ops pages of WhatsApp conversations: the inbox, a thread with the creator's context
beside it, and the actions on a thread (reply, canned answer, assign, tag, close and reopen).
Reading needs `conversations.view_conversation` (analysts and up); anything that changes a
thread needs `conversations.change_conversation` (editors and managers). See
docs/conversations.md."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import Delivery
from campaigns.whatsapp_templates import picker_context
from channels.models import WhatsAppTemplate
from common.exceptions import AltavozError
from common.http import AuthenticatedHttpRequest
from conversations import selectors, services
from conversations.canned import (
    canned_answer_list,
    canned_answer_render,
    delivery_body_render,
)
from conversations.creator_panel import creator_panel_get
from conversations.exceptions import ReplyTemplateInvalid, ReplyTemplateNotApproved
from conversations.forms import (
    AssignForm,
    InboxFilterForm,
    LinkForm,
    ReplyForm,
    StatusForm,
    TagsForm,
)
from conversations.models import CannedAnswer, Conversation, Message
from creators.models import Locale

PAGE_SIZE = 50
VIEW = "conversations.view_conversation"
CHANGE = "conversations.change_conversation"
STATUS_LABELS: dict[str, Any] = {**dict(Delivery.Status.choices), **dict(Message.Status.choices)}


def _conversation_get(pk: int) -> Conversation:
    return get_object_or_404(Conversation.objects.select_related("creator", "assignee"), pk=pk)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@permission_required(VIEW, raise_exception=True)
def conversation_inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    page, threads = None, []
    if form.is_valid():
        conversations = selectors.conversation_list(**form.search_arguments())
        if form.cleaned_data.get("unread"):
            conversations = conversations.filter(unread_count__gt=0)
        # Page through ids alone (an index scan, however deep the page), then load the 50
        # threads with their creator and assignee: a deep OFFSET never joins skipped rows.
        page = Paginator(conversations.values_list("pk", flat=True), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        threads = list(conversations.filter(pk__in=list(page.object_list)))
    context = {"form": form, "page": page, "threads": threads}
    return render(
        request, "conversations/inbox.html", context, status=200 if form.is_valid() else 400
    )


def _thread_lines(conversation: Conversation) -> list[dict[str, Any]]:
    """Each line with its status label, and a campaign delivery's text as the creator got it."""
    creator = conversation.creator
    renderers: dict[str, Any] = {}
    lines = []
    for item in selectors.thread_items(conversation=conversation):
        body = item.body
        if creator is not None and item.campaign_name and body:
            body = delivery_body_render(source=body, creator=creator, renderers=renderers)
        lines.append(
            {
                "item": item,
                "body": body,
                "status_label": STATUS_LABELS.get(item.status, item.status),
            }
        )
    return lines


def _window(conversation: Conversation) -> dict[str, Any]:
    until = selectors.window_open_until(conversation=conversation)
    return {"window_until": until, "window_open": until is not None and until > timezone.now()}


@login_required
@permission_required(VIEW, raise_exception=True)
def conversation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_get(pk)
    can_reply = request.user.has_perm(CHANGE)
    if can_reply and conversation.unread_count:
        # Read by someone who can act on it: the badge and the inbox stop counting it.
        services.conversation_mark_read(conversation=conversation, actor=request.user)
    context: dict[str, Any] = {
        "conversation": conversation,
        "lines": _thread_lines(conversation),
        "panel": creator_panel_get(creator=conversation.creator) if conversation.creator else None,
        "can_reply": can_reply,
        **_window(conversation),
    }
    if can_reply:
        context |= {
            "reply_form": ReplyForm(),
            "picker": picker_context(locale=_reply_locale(conversation), query="", selected=""),
            "canned_answers": canned_answer_list(),
            "assign_form": AssignForm(initial={"assignee": conversation.assignee_id or ""}),
            "tags_form": TagsForm(initial={"tags": ", ".join(conversation.tags)}),
            "link_form": LinkForm() if conversation.creator_id is None else None,
        }
    return render(request, "conversations/thread.html", context)


def _param(request: HttpRequest, name: str, limit: int) -> str:
    """A search parameter, trimmed and cut (a NUL never gets here: common middleware refuses it)."""
    return request.GET.get(name, "").strip()[:limit]


def _reply_locale(conversation: Conversation) -> str:
    """The language of the templates offered: the creator's (es-MX for an unknown number)."""
    return conversation.creator.locale if conversation.creator else Locale.ES_MX


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_GET
def conversation_template_options(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the approved templates in the creator's language whose name has `template_q`
    (the wizard's picker, without its free-text choice)."""
    conversation = _conversation_get(pk)
    context = picker_context(
        locale=_reply_locale(conversation),
        query=_param(request, "template_q", 200),
        selected=_param(request, "content_sid", 64),
    )
    return render(request, "campaigns/_template_options.html", context | {"templates_only": True})


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_GET
def conversation_template_variables(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: one input per variable of the picked template, with its body."""
    _conversation_get(pk)
    sid = _param(request, "content_sid", 64)
    template = WhatsAppTemplate.objects.filter(sid=sid).first() if sid else None
    return render(request, "conversations/_reply_variables.html", {"template": template})


@login_required
@permission_required(VIEW, raise_exception=True)
def conversation_messages(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread's lines alone: the page polls them so statuses and new messages show up."""
    conversation = _conversation_get(pk)
    context = {"conversation": conversation, "lines": _thread_lines(conversation)}
    return render(request, "conversations/_messages.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def conversation_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_get(pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("conversation-detail", pk=conversation.pk)
    data = form.cleaned_data
    try:
        message = services.conversation_reply(
            conversation=conversation,
            actor=request.user,
            body=data["body"],
            content_sid=data["content_sid"],
            variables=data["variables"],
        )
    except (ReplyTemplateInvalid, ReplyTemplateNotApproved) as error:
        for problem in error.errors:
            messages.error(request, str(problem["message"]))
    except AltavozError as error:
        messages.error(request, str(error))
    else:
        if message.status == Message.Status.FAILED:
            messages.error(request, STATUS_LABELS[Message.Status.FAILED])
    return redirect("conversation-detail", pk=conversation.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
def conversation_canned(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply box filled with a canned answer rendered for this thread's creator."""
    conversation = _conversation_get(pk)
    body = ""
    answer_id = request.GET.get("answer", "")
    if answer_id.isascii() and answer_id.isdigit() and int(answer_id) < 2**63:
        answer = get_object_or_404(CannedAnswer, pk=int(answer_id))
        try:
            body = canned_answer_render(answer=answer, conversation=conversation)
        except AltavozError as error:
            messages.error(request, str(error))
    form = ReplyForm(initial={"body": body})
    return render(request, "conversations/_reply_body.html", {"reply_form": form})


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def conversation_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_get(pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        assignee_id = form.cleaned_data["assignee"]
        assignee = get_user_model().objects.get(pk=assignee_id) if assignee_id else None
        services.conversation_assign(
            conversation=conversation, actor=request.user, assignee=assignee
        )
    else:
        return HttpResponse(status=400)
    return redirect("conversation-detail", pk=conversation.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def conversation_tags(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_get(pk)
    form = TagsForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    services.conversation_tags_set(
        conversation=conversation, actor=request.user, tags=form.cleaned_data["tags"]
    )
    return redirect("conversation-detail", pk=conversation.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def conversation_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_get(pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    services.conversation_status_set(
        conversation=conversation, actor=request.user, status=form.cleaned_data["status"]
    )
    return redirect("conversation-detail", pk=conversation.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def conversation_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give an unknown number's thread to a creator; shows the creator's thread after."""
    conversation = _conversation_get(pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("conversation-detail", pk=conversation.pk)
    try:
        conversation = services.conversation_link(
            conversation=conversation, actor=request.user, creator=form.cleaned_data["handle"]
        )
    except AltavozError as error:
        messages.error(request, str(error))
    return redirect("conversation-detail", pk=conversation.pk)
