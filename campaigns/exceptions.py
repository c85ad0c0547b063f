"""Errors the campaigns app raises on purpose; each carries a translated, actionable message."""

from django.utils.translation import gettext as _

from common.exceptions import AltavozError
from common.system_messages import SystemMessage


class TemplateInvalid(AltavozError):
    """A message template refused when saved: its line (1-based) and why."""

    def __init__(self, line: int, cause: str) -> None:
        super().__init__(_("Line %(line)d: %(cause)s") % {"line": line, "cause": cause})
        self.line = line
        self.cause = cause


class TemplateRenderFailed(AltavozError):
    """A checked template that still failed for one creator (missing value, sandbox refusal).

    The original error (a Jinja ``UndefinedError``, ``SecurityError``…) is chained as
    ``__cause__``; `cause` says why as a system message (campaigns/rendering/causes.py), so
    that dispatch can store it in the delivery's note (`delivery.render_failed`) to be read
    in the viewer's language, and `code` is the delivery's error code: ``render_budget``
    (over the rendering budget: loops, size, time), ``render_link`` (a link that is not a web
    or app link), else ``render_error``. `str()` reads it in the language active when raised
    (a preview's or a check's request).
    """

    def __init__(
        self, field: str, line: int, cause: SystemMessage, code: str = "render_error"
    ) -> None:
        super().__init__(
            _("Field %(field)s, line %(line)d: %(cause)s")
            % {"field": field, "line": line, "cause": cause}
        )
        self.field = field
        self.line = line
        self.cause = cause
        self.code = code


# --- Campaign lifecycle (coordinator) -----------------------------------------------------------


class CampaignStateError(AltavozError):
    """An action that the campaign's current status does not allow."""

    def __init__(self, campaign_name: str, status: str, action: str) -> None:
        super().__init__(
            _("Campaign “%(name)s” is %(status)s: it cannot be %(action)s.")
            % {"name": campaign_name, "status": status, "action": action}
        )
        self.status = status


class CampaignIncomplete(AltavozError):
    """A campaign that lacks what a launch needs (segment, channels, a message per channel)."""


class MessageInvalid(AltavozError):
    """A message refused on save: each problem with its field, line and cause."""

    def __init__(self, channel: str, locale: str, errors: list[dict]) -> None:
        first = errors[0]
        super().__init__(
            _(
                "The %(channel)s message (%(locale)s) has %(count)d problem(s); first, in %(field)s: %(message)s"
            )
            % {
                "channel": channel,
                "locale": locale,
                "count": len(errors),
                "field": first["field"],
                "message": first.get("message") or first.get("cause"),
            }
        )
        self.errors = [{"channel": channel, "locale": locale, **error} for error in errors]


class StepMessagesInvalid(AltavozError):
    """A sequence step's messages refused on save: per language, each problem with its field,
    line and cause (as `MessageInvalid.errors`)."""

    def __init__(self, problems: dict[str, list[dict]]) -> None:
        locale, errors = next(iter(problems.items()))
        first = errors[0]
        super().__init__(
            _("The %(locale)s message has a problem in %(field)s: %(message)s")
            % {
                "locale": locale,
                "field": first.get("field", ""),
                "message": first.get("message") or first.get("cause"),
            }
        )
        self.problems = problems


class CampaignNotApproved(AltavozError):
    """REQUIRE_APPROVAL is on and nobody who may approve has approved the campaign yet."""

    def __init__(self, campaign_name: str) -> None:
        super().__init__(
            _("Campaign “%(name)s” needs a manager's approval before it can start.")
            % {"name": campaign_name}
        )


class OutsideWhatsAppWindow(AltavozError):
    """Free text (a body-only WhatsApp message) for a creator whose 24-hour window is closed:
    WhatsApp would refuse it (Twilio 63016), so it is not sent (campaigns/whatsapp_window.py)."""

    code = "outside_whatsapp_window"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Not sent: the creator has not written on WhatsApp in the last 24 hours, and "
                "this message has no approved template for creators outside that window."
            )
        )


class WhatsAppTemplateNotApproved(AltavozError):
    """A campaign's WhatsApp message uses a template WhatsApp has not approved (or stopped)."""

    def __init__(self, *, sid: str, name: str, status: str) -> None:
        super().__init__(
            _(
                "The WhatsApp template “%(name)s” (%(sid)s) is %(status)s: only approved "
                "templates can be sent. Pick another template or wait for its approval."
            )
            % {"name": name or sid, "sid": sid, "status": status}
        )
        self.sid = sid


class TriggerInvalid(AltavozError):
    """A campaign trigger that cannot be used; `path` names the bad part (`trigger.repeat`)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(_("%(path)s: %(reason)s") % {"path": path, "reason": reason})


class SnippetInvalid(AltavozError):
    """A snippet refused when saved: its template's line and cause, or a name already taken."""

    def __init__(self, message: str, *, field: str = "body", line: int = 0) -> None:
        super().__init__(message)
        self.field = field
        self.line = line
