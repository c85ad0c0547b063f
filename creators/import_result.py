"""What a creators import did: counts, and the first problems with their lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR_LIMIT = 1_000


@dataclass
class CreatorImportResult:
    """What an import did. `errors` keeps the first ERROR_LIMIT problems; `rejected` counts all."""

    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0

    def error_add(self, line: int, field_name: str | None, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < ERROR_LIMIT:
            self.errors.append({"line": line, "field": field_name, "message": str(message)})

    @property
    def errors_truncated(self) -> bool:
        return self.errors_total > len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "errors": self.errors,
        }
