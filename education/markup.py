"""A small, safe subset of markdown for content bodies.

Everything an author writes is escaped first; only then are `# headings`, `- lists`,
`**bold**`, `*italic*` and bare https links turned into tags. No author HTML survives.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")
_URL = re.compile(r"(https://[^\s<>&\"]+)")


def _inline(escaped: str) -> str:
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    escaped = _ITALIC.sub(r"<em>\1</em>", escaped)
    return _URL.sub(r'<a href="\1" rel="noopener nofollow">\1</a>', escaped)


def body_render(text: str) -> SafeString:
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_inline(escape(line.lstrip()[2:]))}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", lines[0])
        if heading and len(lines) == 1:
            level = len(heading.group(1)) + 1  # the page's title is the h1
            blocks.append(f"<h{level}>{_inline(escape(heading.group(2)))}</h{level}>")
            continue
        blocks.append("<p>" + "<br>".join(_inline(escape(line)) for line in lines) + "</p>")
    return mark_safe("\n".join(blocks))
