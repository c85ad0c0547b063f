from django.http import HttpRequest


def notifications_unread(request: HttpRequest) -> dict[str, int]:
    """The header's unread badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from agencies.selectors import notifications_unread_count

    return {"notifications_unread": notifications_unread_count(user=user)}
