"""`manage.py import_playbooks FILE.csv`: good rows land, bad rows are listed by line; exits
with status 1 when any row was bad (the good ones are kept)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.exceptions import AltavozError
from markets.imports import playbook_import_csv


class Command(BaseCommand):
    help = "Import playbooks from a CSV file (see docs/markets.md for the columns)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        try:
            with path.open("rb") as source:
                result = playbook_import_csv(source=source, actor=None)
        except (OSError, AltavozError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, bad rows {len(result.bad_lines)}"
        )
        for problem in result.problems:
            self.stderr.write(f"line {problem.line}: {problem.column or '-'}: {problem.cause}")
        for problem in result.warnings:
            self.stderr.write(
                f"line {problem.line}: {problem.column or '-'}: (kept without it) {problem.cause}"
            )
        if result.problems:
            raise SystemExit(1)
