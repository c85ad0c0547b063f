"""`manage.py ensure_admin`: make sure the `admin` superuser exists and print how to sign in.

First run: creates `admin` with a random password (or `ALTAVOZ_ADMIN_PASSWORD`) and keeps it
in `var/admin-password.txt`, readable by the owner only. Every run prints the sign-in box, so
`make run` always shows where to go and what to type.
"""

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

USERNAME = "admin"
PASSWORD_ENV = "ALTAVOZ_ADMIN_PASSWORD"


def admin_password_file() -> Path:
    return Path(settings.VAR_DIR) / "admin-password.txt"


def _password_store(*, path: Path, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)  # O_CREAT's mode only applies to new files


@transaction.atomic
def admin_ensure(
    *, username: str = USERNAME, password: str | None = None
) -> tuple[Any, str | None]:
    """Create the superuser if missing; set `password` if given. Returns (user, known password).

    Without `password`, a new user gets a random one; an existing user keeps theirs, and the
    known password is the one in the password file if it still matches (None otherwise).
    """
    user_model = get_user_model()
    path = admin_password_file()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        password = password or secrets.token_urlsafe(15)
        user = user_model.objects.create_superuser(
            username=username, email=f"{username}@altavoz.invalid", password=password
        )
        _password_store(path=path, password=password)
        return user, password
    if not (user.is_active and user.is_staff and user.is_superuser):
        user.is_active = user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_active", "is_staff", "is_superuser"])
    if password is not None:
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        _password_store(path=path, password=password)
        return user, password
    if path.exists():
        stored = path.read_text().strip()
        if stored and user.check_password(stored):
            return user, stored
    return user, None


def _box(lines: list[str]) -> str:
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 4) + "+"
    body = [f"|  {line.ljust(width)}  |" for line in lines]
    return "\n".join([rule, *body, rule])


class Command(BaseCommand):
    help = (
        f"Create the '{USERNAME}' superuser on first run (random password, or "
        f"${PASSWORD_ENV}) and print the URL and sign-in details."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(PASSWORD_ENV) or None
        if password is not None:
            try:
                validate_password(password)
            except ValidationError as error:
                message = f"{PASSWORD_ENV} is too weak: {' '.join(error.messages)}"
                if settings.PRODUCTION:
                    raise CommandError(message) from error
                self.stderr.write(self.style.WARNING(f"Warning: {message}"))
        user, known = admin_ensure(password=password)
        base = settings.PUBLIC_BASE_URL
        if known is None:
            shown = f"(unknown here; set one: manage.py changepassword {user.get_username()})"
        else:
            shown = known
        lines = [
            "Altavoz: sign in",
            "",
            f"App:       {base}/",
            f"Admin:     {base}/admin/",
            f"Username:  {user.get_username()}",
            f"Password:  {shown}",
        ]
        if known is not None:
            lines.append(f"(kept in {admin_password_file()})")
        self.stdout.write(_box(lines))
