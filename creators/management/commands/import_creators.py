"""`manage.py import_creators FILE.csv`: the CSV importer of creators/importer.py from a shell."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from creators.importer import ImportHeaderInvalid, creator_import_csv


class Command(BaseCommand):
    help = "Import creators from a CSV file (upsert on handle). See docs/importing.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument(
            "--show-errors",
            type=int,
            default=20,
            metavar="N",
            help="print the first N row errors (default 20; 0 prints none)",
        )

    def handle(self, *args, file: str, show_errors: int, **options) -> None:
        try:
            result = creator_import_csv(file=file)
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except ImportHeaderInvalid as error:
            raise CommandError(str(error)) from None
        for problem in result.errors_shown()[:show_errors]:
            field = problem["field"] or "-"
            self.stderr.write(f"line {problem['line']}: {field}: {problem['message']}")
        if result.errors_total > show_errors:
            self.stderr.write(
                f"... {result.errors_total - min(show_errors, result.errors_total)} more"
            )
        for problem in result.warnings_shown()[:show_errors]:
            field = problem["field"] or "-"
            self.stderr.write(
                f"line {problem['line']}: {field}: (kept without it) {problem['message']}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file} ({result.encoding}): {result.created} created, "
                f"{result.updated} updated, {result.rejected} rejected, "
                f"{result.warnings_total} cells dropped."
            )
        )
