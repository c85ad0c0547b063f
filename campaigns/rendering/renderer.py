"""Rendering one message for many creators: compile once, render per delivery."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Template
from jinja2.exceptions import TemplateSyntaxError

from campaigns.exceptions import TemplateInvalid, TemplateRenderFailed

from .budget import RENDER_SECONDS, budget_current, budget_enter, budget_exit, deadline_in
from .check import (
    TemplateAnalysis,
    creator_columns_needed,
    environment_for,
    render_error_cause,
    render_error_code,
    render_error_line,
    source_link_lines,
    template_analyze,
)
from .context import CREATOR_COLUMNS, NO_EVENT
from .email_html import html_inline_css, html_preheader_insert, html_to_text
from .environment import TEXT_ENV
from .fields import CHANNEL_FIELDS, FieldKind, field_max_chars
from .links import (
    LinkBuilder,
    LinkRefused,
    field_postprocess,
    link_helpers,
    link_refused_line,
    text_links_track,
)
from .snippets import SNIPPET_FALLBACK, SNIPPET_HELPER, SnippetLibrary

_STYLESHEET_MARKERS = ("<style", "<STYLE", 'rel="stylesheet"', "rel='stylesheet'")


class MessageRenderer:
    """One message (channel + field templates) compiled once, rendered for each creator.

    >>> renderer = MessageRenderer("push", {"title": "Hola {{ creator.first_name }}", ...})
    >>> renderer.render(creator=creator_context_build(row), campaign=campaign_ctx, links=links)
    {"title": "Hola María", ...}

    Templates are expected to have passed `template_check` when saved; the sandbox still
    refuses anything unsafe at render time (`TemplateRenderFailed` chained to Jinja's
    `SecurityError`). `render` returns every field of the channel that the message has:
    link fields tracked through `links`, email `text` made from `html` when blank, CSS
    inlined and the preheader added to `html`, WhatsApp `variables` as a dict and
    `content_sid` passed through.
    """

    def __init__(self, channel: str, fields: Mapping[str, Any], *, locale: str = "") -> None:
        """`locale`: the message's language, which picks the snippets' versions (empty: each
        creator's own language)."""
        if channel not in CHANNEL_FIELDS:
            raise ValueError(f"unknown channel {channel!r}")
        self.channel = channel
        self.locale = locale
        self.kinds = CHANNEL_FIELDS[channel]
        self.templates: dict[str, Template] = {}
        self.link_lines: dict[str, list[int]] = {}
        self.variables: dict[str, Template] = {}
        self.literals: dict[str, str] = {}
        self.inline_css = False
        self._asts: list[Any] = []
        analyses: list[TemplateAnalysis] = []
        for name, kind in self.kinds.items():
            source = fields.get(name)
            if source is None or (isinstance(source, str) and not source.strip()):
                continue
            if kind is FieldKind.LITERAL:
                self.literals[name] = str(source)
            elif kind is FieldKind.VARIABLES:
                for key, value in dict(source).items():
                    self.variables[str(key)] = self._compile(
                        str(value), FieldKind.TEXT, analyses, self._asts
                    )
            else:
                self.templates[name] = self._compile(str(source), kind, analyses, self._asts)
                if kind is FieldKind.HTML:
                    self.link_lines[name] = source_link_lines(str(source))
                    self.inline_css = any(marker in source for marker in _STYLESHEET_MARKERS)
        self.max_chars = {
            name: field_max_chars(channel, name)
            for name in (*self.templates, *(f"variables.{key}" for key in self.variables))
        }
        self.text_from_html = (
            channel == "email" and "html" in self.templates and ("text" not in self.templates)
        )
        # The snippets the templates call, loaded once (no query when there are none).
        self.snippets = SnippetLibrary.for_asts(self._asts)
        # The Creator columns these templates read: dispatch fetches just these. A snippet
        # is rendered with the caller's context and may read any of them.
        self.creator_columns: tuple[str, ...] = (
            CREATOR_COLUMNS if self.snippets.versions else creator_columns_needed(analyses)
        )
        self._asts.clear()

    @staticmethod
    def _compile(
        source: str, kind: FieldKind, analyses: list[TemplateAnalysis], asts: list[Any]
    ) -> Template:
        env = environment_for(kind)
        try:
            ast = env.parse(source)
            asts.append(ast)
            analyses.append(template_analyze(ast, env))
            return env.from_string(source)
        except TemplateSyntaxError as error:
            raise TemplateInvalid(error.lineno or 1, error.message or str(error)) from error

    def _render(
        self, name: str, template: Template, variables: dict[str, Any], deadline: float
    ) -> str:
        # What Template.render does, minus copying the globals into a new dict per call:
        # `variables` already holds them and is shared by every field of one render.
        env = template.environment
        try:
            token = budget_enter(max_chars=self.max_chars[name], deadline=deadline)
            try:
                return budget_current().final(
                    env.concat(  # type: ignore[attr-defined]
                        template.root_render_func(template.new_context(variables, shared=True))
                    )
                )
            except Exception:
                env.handle_exception()  # re-raises with the template's line in the traceback
                raise
            finally:
                budget_exit(token)
        except Exception as error:  # re-raised as the domain error, original chained
            raise TemplateRenderFailed(
                name, render_error_line(error), render_error_cause(error), render_error_code(error)
            ) from error

    def _postprocess(self, name: str, kind: FieldKind, rendered: str, links: LinkBuilder) -> str:
        try:
            return field_postprocess(kind, rendered, links)
        except LinkRefused as error:
            raise TemplateRenderFailed(
                name,
                link_refused_line(error, self.link_lines.get(name, [])),
                render_error_cause(error),
                render_error_code(error),
            ) from error

    def render(
        self,
        *,
        creator: Mapping[str, Any],
        campaign: Mapping[str, Any],
        links: LinkBuilder,
        event: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The message for one creator: field name → rendered value.

        `creator` and `campaign` are built with `creator_context_build` and
        `campaign_context_build` (the campaign's once per campaign); `links` is the
        delivery's `LinkBuilder`; `event` the event that triggered the send (name, props),
        for a triggered campaign (campaigns/triggers.py).
        """
        context = {
            **TEXT_ENV.globals,
            "creator": creator,
            "campaign": campaign,
            "event": event if event is not None else NO_EVENT,
            **link_helpers(links),
            SNIPPET_HELPER: self.snippets.helper(
                self.locale or str(creator.get("locale") or "") or SNIPPET_FALLBACK[0]
            ),
        }
        # One deadline for the whole message; each field has its own size and loop budget.
        deadline = deadline_in(RENDER_SECONDS)
        out: dict[str, Any] = dict(self.literals)
        for name, template in self.templates.items():
            out[name] = self._postprocess(
                name, self.kinds[name], self._render(name, template, context, deadline), links
            )
        if self.variables:
            out["variables"] = {
                key: text_links_track(
                    self._render(f"variables.{key}", template, context, deadline), links
                )
                for key, template in self.variables.items()
            }
        if self.channel == "email" and "html" in out:
            if self.text_from_html:
                out["text"] = html_to_text(out["html"])
            if self.inline_css:
                out["html"] = html_inline_css(out["html"])
            out["html"] = html_preheader_insert(out["html"], out.get("preheader", ""))
        return out
