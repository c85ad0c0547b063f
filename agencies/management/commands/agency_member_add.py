from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Agency
from agencies.services import agency_create, agency_member_add


class Command(BaseCommand):
    help = "Put a user in an agency (created if missing) and in the `agency` role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("agency", help="the agency's name")
        parser.add_argument("username")

    def handle(self, *args: object, agency: str, username: str, **options: object) -> None:
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"No user named {username!r}.") from error
        found = Agency.objects.filter(name=agency).first() or agency_create(actor=None, name=agency)
        agency_member_add(actor=None, agency=found, user=user)
        self.stdout.write(f"{username} works for {found.name} and has the agency role.")
