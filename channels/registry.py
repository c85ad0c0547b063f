"""Which adapter sends each channel. A channel with several providers maps each provider to
its adapter, and the setting `<CHANNEL>_PROVIDER` (e.g. `EMAIL_PROVIDER`) picks one.

Callers ask the adapter's class what it needs (`adapter_class(code).needs_device_tokens`,
`.provider`, …: channels/base.py) rather than comparing channel names.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from channels.base import ChannelAdapter, ReconcilingAdapter

ADAPTERS: dict[str, str | dict[str, str]] = {
    "email": {
        "sendgrid": "channels.email_sendgrid.SendGridEmailAdapter",
        "smtp": "channels.email_smtp.SmtpEmailAdapter",
    },
    "whatsapp": "channels.whatsapp.WhatsAppAdapter",
    "push": "channels.push.PushAdapter",
    "inbox": "channels.inbox.InboxAdapter",
}


def adapter_path(code: str) -> str:
    """The dotted path of the adapter that sends `code` with the configured provider."""
    choice = ADAPTERS[code]
    if isinstance(choice, str):
        return choice
    setting = f"{code.upper()}_PROVIDER"
    provider = getattr(settings, setting)
    if provider not in choice:
        raise ImproperlyConfigured(f"{setting}={provider!r}: expected one of {sorted(choice)}")
    return choice[provider]


def adapter_class(code: str) -> type[ChannelAdapter]:
    return import_string(adapter_path(code))


def adapter_for(code: str) -> ChannelAdapter:
    return adapter_class(code)()


def reconciling_adapter_for(code: str) -> ReconcilingAdapter:
    """The adapter of a channel whose provider can say what it took (WhatsApp's Twilio)."""
    return import_string(adapter_path(code))()


def provider_for(code: str) -> str:
    """The provider whose rate limit (PROVIDER_RATE_LIMITS) the channel's sends count against."""
    return adapter_class(code).provider


def adapters_import() -> None:
    """Import every adapter module (and its provider SDK) now rather than in the first send:
    the Twilio SDK alone is hundreds of modules, seconds of work without cached bytecode."""
    for choice in ADAPTERS.values():
        for path in [choice] if isinstance(choice, str) else choice.values():
            import_string(path)
