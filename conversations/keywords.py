"""Opt-out and opt-in keywords: a message that is only one of the words in
WHATSAPP_OPT_OUT_KEYWORDS / WHATSAPP_OPT_IN_KEYWORDS, case, accents, punctuation and spaces
around it ignored ("baja ", "Baja.", "¡STOP!")."""

from __future__ import annotations

import functools
import unicodedata

from django.conf import settings

from conversations.models import Message


def keyword_normalise(text: str) -> str:
    """Upper case, no accents, inner spaces collapsed, no punctuation or spaces around."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = bare.upper().split()
    joined = " ".join(words)
    start, end = 0, len(joined)
    while start < end and not joined[start].isalnum():
        start += 1
    while end > start and not joined[end - 1].isalnum():
        end -= 1
    return joined[start:end]


@functools.lru_cache(maxsize=4)
def _keywords(opt_out: tuple[str, ...], opt_in: tuple[str, ...]) -> dict[str, str]:
    found = {keyword_normalise(word): Message.Keyword.OPT_IN.value for word in opt_in}
    found.update({keyword_normalise(word): Message.Keyword.OPT_OUT.value for word in opt_out})
    found.pop("", None)
    return found


def keyword_of(body: str) -> str:
    """`opt_out`, `opt_in` or "" for a message's text."""
    if len(body) > 64:
        return ""
    words = _keywords(
        tuple(settings.WHATSAPP_OPT_OUT_KEYWORDS), tuple(settings.WHATSAPP_OPT_IN_KEYWORDS)
    )
    return words.get(keyword_normalise(body), "")
