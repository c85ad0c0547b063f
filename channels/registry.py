from django.conf import settings
from django.utils.module_loading import import_string

from channels.base import ChannelAdapter, ReconcilingAdapter

ADAPTERS: dict[str, str] = {
    "email": "channels.email.EmailAdapter",
    "whatsapp": "channels.whatsapp.WhatsAppAdapter",
    "push": "channels.push.PushAdapter",
    "inbox": "channels.inbox.InboxAdapter",
}

# Which provider's rate limit a channel's sends count against.
PROVIDERS: dict[str, str] = {
    "email": "sendgrid",
    "whatsapp": "twilio",
    "push": "fcm",
    "inbox": "inbox",
}


def adapter_for(code: str) -> ChannelAdapter:
    return import_string(ADAPTERS[code])()


def reconciling_adapter_for(code: str) -> ReconcilingAdapter:
    """The adapter of a channel whose provider can say what it took (WhatsApp's Twilio)."""
    return import_string(ADAPTERS[code])()


def provider_for(code: str) -> str:
    if code == "email" and settings.EMAIL_PROVIDER == "smtp":
        return "smtp"
    return PROVIDERS[code]


def adapters_import() -> None:
    """Import every adapter module (and its provider SDK) now rather than in the first send:
    the Twilio SDK alone is hundreds of modules, seconds of work without cached bytecode."""
    for path in ADAPTERS.values():
        import_string(path)
