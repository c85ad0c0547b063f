"""Side-by-side diff of two versions' text: line-level, with the changed characters of a
replaced line highlighted. Every piece of text is HTML-escaped before markup is added."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class DiffRow:
    kind: str  # equal | replace | delete | insert
    left_number: int | None
    left_html: SafeString
    right_number: int | None
    right_html: SafeString


# Words, runs of spaces and single punctuation marks: a changed word is highlighted whole.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def _highlight(old: str, new: str) -> tuple[SafeString, SafeString]:
    left: list[str] = []
    right: list[str] = []
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            left.append(escape(old_part))
            right.append(escape(new_part))
            continue
        if old_part:
            left.append(f"<del>{escape(old_part)}</del>")
        if new_part:
            right.append(f"<ins>{escape(new_part)}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))


def text_diff(old: str, new: str) -> list[DiffRow]:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                line = escape(old_lines[i1 + offset])
                rows.append(DiffRow("equal", i1 + offset + 1, line, j1 + offset + 1, line))
            continue
        if tag == "replace":
            paired = min(i2 - i1, j2 - j1)
            for offset in range(paired):
                left, right = _highlight(old_lines[i1 + offset], new_lines[j1 + offset])
                rows.append(DiffRow("replace", i1 + offset + 1, left, j1 + offset + 1, right))
            i1, j1 = i1 + paired, j1 + paired
        for index in range(i1, i2):
            rows.append(DiffRow("delete", index + 1, escape(old_lines[index]), None, mark_safe("")))
        for index in range(j1, j2):
            rows.append(DiffRow("insert", None, mark_safe(""), index + 1, escape(new_lines[index])))
    return rows
