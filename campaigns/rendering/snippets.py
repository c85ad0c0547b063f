"""Snippets: reusable blocks per language (`campaigns.models.Snippet`), used in a template as
`{{ snippet('reglas-mision') }}` (docs/templates.md#snippets).

A snippet is rendered where it is called, in the same sandbox, budget and context as the
template calling it (creator, campaign, event, helpers), HTML-escaped in HTML fields like
the rest. Which version: the message's language, else es-MX, else en (`SNIPPET_FALLBACK`).
The slugs a template calls are read from its AST (a literal slug, checked at save), so a
renderer loads and compiles its snippets once, not per creator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import Template, nodes, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from common.system_messages import SystemMessage

from .causes import RenderCauseError, cause_param

SNIPPET_HELPER = "snippet"
# The versions tried after the message's own language, in order.
SNIPPET_FALLBACK = ("es-MX", "en")


class SnippetMissing(RenderCauseError):
    """A template calls a snippet that has no version to render."""

    def __init__(self, slug: str) -> None:
        super().__init__(SystemMessage("render.snippet_missing", slug=cause_param(slug)))
        self.slug = slug


def snippet_calls(ast: nodes.Template) -> list[tuple[int, str | None]]:
    """(line, slug) of each `snippet(…)` call; slug None when it is not one literal text."""
    calls = []
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == SNIPPET_HELPER:
            arg = call.args[0] if len(call.args) == 1 and not call.kwargs else None
            slug = (
                arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else None
            )
            calls.append((call.lineno or 1, slug))
    return calls


def snippets_load(slugs: Iterable[str]) -> dict[str, dict[str, str]]:
    """slug → {locale: body} for the given slugs (one query)."""
    from campaigns.models import Snippet  # the model layer, loaded when rendering

    wanted = sorted(set(slugs))
    versions: dict[str, dict[str, str]] = {}
    if not wanted:
        return versions
    for slug, locale, body in Snippet.objects.filter(slug__in=wanted).values_list(
        "slug", "locale", "body"
    ):
        versions.setdefault(slug, {})[locale] = body
    return versions


def snippet_version(versions: dict[str, str], locale: str) -> str | None:
    """The body in `locale`, else in the fallback languages, else None."""
    for candidate in (locale, *SNIPPET_FALLBACK):
        if candidate in versions:
            return versions[candidate]
    return None


class SnippetLibrary:
    """The snippets of one message, compiled once per environment and language."""

    def __init__(self, versions: dict[str, dict[str, str]]) -> None:
        self.versions = versions
        self._compiled: dict[tuple[int, str, str], Template] = {}

    @classmethod
    def for_asts(cls, asts: Iterable[nodes.Template]) -> SnippetLibrary:
        slugs = {slug for ast in asts for _line, slug in snippet_calls(ast) if slug}
        return cls(snippets_load(slugs))

    def template(self, env: Any, slug: str, locale: str) -> Template:
        key = (id(env), slug, locale)
        if key not in self._compiled:
            body = snippet_version(self.versions.get(slug, {}), locale)
            if body is None:
                raise SnippetMissing(slug)
            self._compiled[key] = env.from_string(body)
        return self._compiled[key]

    def helper(self, locale: str) -> Callable[..., str]:
        """The `snippet(slug)` function for one render in `locale`."""

        @pass_context
        def snippet(context: Context, slug: Any) -> str:
            template = self.template(context.environment, str(slug), locale)
            # The caller's variables, without snippet(): a snippet does not call snippets.
            variables = {
                name: value for name, value in context.get_all().items() if name != SNIPPET_HELPER
            }
            env = context.environment
            out = env.concat(  # type: ignore[attr-defined]
                template.root_render_func(template.new_context(variables, shared=True))
            )
            return Markup(out) if context.eval_ctx.autoescape else out

        return snippet
