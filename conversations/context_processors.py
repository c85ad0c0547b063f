from django.http import HttpRequest


def conversations_unread(request: HttpRequest) -> dict[str, int]:
    """The nav's unread badge: threads with unread messages (a partial index counts them)."""
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or not user.has_perm("conversations.view_conversation")
    ):
        return {}
    from conversations.selectors import unread_total

    return {"conversations_unread": unread_total()}
