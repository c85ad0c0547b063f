"""What a creators import did: counts, the encoding it read, and the first problems with their
lines, stored as codes with parameters and rendered in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from common.csv import csv_encoding_label, csv_problem, csv_problem_message
from creators.columns import HEADER

ERROR_LIMIT = 1_000

# The creators importer's own problem codes (common.csv.CSV_PROBLEMS has the file-level ones).
IMPORT_MESSAGES: dict[str, Any] = {
    "required": _("This field is required."),
    "contact_required": _(
        "No usable email address or phone number: a creator needs one to be reached."
    ),
    "duplicate": _("This handle appears earlier in the file."),
    "handle": _("Not a TikTok handle: 2 to 24 letters, digits, '_' or '.', not ending in '.'."),
    "name": _("At most 150 characters."),
    "email": _("Not a valid email address."),
    "phone": _(
        "Not a valid phone number (e.g. +52 55 1234 5678, 55 1234 5678 or +521 55 1234 5678)."
    ),
    "locale": _("Unknown language: use es-MX or en."),
    "timezone": _("Unknown time zone: use an IANA name such as America/Mexico_City."),
    "state": _("Unknown Mexican state: use its name or its code (e.g. JAL)."),
    "state_long": _("At most 64 characters."),
    "market": _("Not an ISO country code (two letters, e.g. MX)."),
    "level": _("Level must be a whole number from 0 to 7."),
    "followers": _("Followers must be a whole number, zero or more (12500, 12,500 or 12.5K)."),
    "gmv_30d": _("GMV must be a number, zero or more, with at most 2 decimals."),
    "category": _("At most 64 characters."),
    "content_type": _("Content type must be video, live or both."),
    "datetime": _("Not an ISO 8601 date or date-time (e.g. 2024-05-31 or 2024-05-31T18:00)."),
    "consent": _("Consent must be yes/no, true/false, 1/0 or sí (blank: unknown)."),
}


HEADER_MESSAGES: dict[str, Any] = {
    "empty": _("The file is empty: it needs a header line naming its columns."),
    "not_csv": _("Line 1 (the header) is not CSV: check its quotes."),
    "undecodable": _("Line 1 (the header) cannot be read as %(encoding)s."),
    "missing": _(
        "The header needs a “handle” column and an “email” or “phone” column; it lacks: "
        "%(columns)s. Known columns: %(header)s."
    ),
}


def header_problem_message(code: str, params: dict[str, Any]) -> str:
    """Why a file was refused whole, in the active language (see ImportHeaderInvalid)."""
    params = dict(params)
    if "columns" in params:
        params["columns"] = ", ".join(params["columns"])
    if "encoding" in params:
        params["encoding"] = csv_encoding_label(params["encoding"])
    params["header"] = ", ".join(HEADER)
    return str(HEADER_MESSAGES.get(code, HEADER_MESSAGES["not_csv"])) % params


def import_problem_message(problem: dict[str, Any]) -> str:
    """A stored problem (errors or warnings of a result or an ImportJob) as a sentence in the
    active language."""
    return csv_problem_message(problem, IMPORT_MESSAGES)


def import_problems_shown(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems as the API and the pages show them: line, field and message."""
    return [
        {
            "line": problem["line"],
            "field": problem["field"],
            "message": import_problem_message(problem),
        }
        for problem in problems
    ]


@dataclass
class CreatorImportResult:
    """What an import did. `errors` (the row was rejected) and `warnings` (the row landed
    without that cell's value) keep the first ERROR_LIMIT problems each; the totals count
    all; `rejected` counts rejected rows."""

    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warnings_total: int = 0
    encoding: str = "utf-8"

    def error_add(self, line: int, field_name: str | None, code: str, **params: Any) -> None:
        self.errors_total += 1
        if len(self.errors) < ERROR_LIMIT:
            self.errors.append(csv_problem(line, field_name, code, **params))

    def warning_add(self, line: int, field_name: str | None, code: str, **params: Any) -> None:
        self.warnings_total += 1
        if len(self.warnings) < ERROR_LIMIT:
            self.warnings.append(csv_problem(line, field_name, code, **params))

    @property
    def errors_truncated(self) -> bool:
        return self.errors_total > len(self.errors)

    @property
    def warnings_truncated(self) -> bool:
        return self.warnings_total > len(self.warnings)

    @property
    def encoding_label(self) -> str:
        return csv_encoding_label(self.encoding)

    def errors_shown(self) -> list[dict[str, Any]]:
        return import_problems_shown(self.errors)

    def warnings_shown(self) -> list[dict[str, Any]]:
        return import_problems_shown(self.warnings)

    def as_dict(self) -> dict[str, Any]:
        """The API's answer, messages in the active language."""
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "encoding": self.encoding,
            "errors": self.errors_shown(),
            "warnings": self.warnings_shown(),
        }
