"""Email-only steps after rendering: plain text from HTML, CSS inlining, the preheader."""

from __future__ import annotations

import html
import re

import css_inline

# Remote stylesheets are never fetched: a template must not make the worker call out.
_INLINER = css_inline.CSSInliner(
    load_remote_stylesheets=False, keep_at_rules=True, keep_link_tags=False
)

_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote"}
)
_SKIPPED = frozenset({"head", "style", "script", "title", "template", "noscript"})
_SPACES = re.compile(r"[ \t\r\f\v\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)


# One pass over the markup: comments/doctypes, tags (name and raw attributes), text.
_TOKENS = re.compile(
    r"<!--.*?(?:-->|$)|<![^>]*>|<\?[^>]*>|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|([^<]+|<)",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
_VOID = frozenset(
    {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
)


def _attributes(raw: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(raw):
        value = next((group for group in match.groups()[1:] if group is not None), "")
        values.setdefault(match.group(1).lower(), html.unescape(value))
    return values


class _TextConverter:
    """Walks rendered email HTML and writes the text a plain-text client should show.

    A regex tokenizer rather than `html.parser.HTMLParser`: the same events, several times
    faster, which matters when every email's text part is made per creator.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skip_depth = 0
        self.hidden_stack: list[str] = []
        self.pre_depth = 0
        self.links: list[tuple[str, int]] = []  # (href, index in parts where its label starts)
        self.list_stack: list[list[int]] = []  # counters; [-1] for unordered

    def _newline(self, count: int = 1) -> None:
        if not self.parts:
            return
        tail = "".join(self.parts[-4:]).rstrip(" ")
        existing = len(tail) - len(tail.rstrip("\n"))
        if existing < count:
            self.parts.append("\n" * (count - existing))

    def feed(self, markup: str) -> None:
        for match in _TOKENS.finditer(markup):
            closing, tag, raw, text = match.groups()
            if text is not None:
                self.handle_data(html.unescape(text))
            elif tag is not None:
                tag = tag.lower()
                if closing:
                    self.handle_endtag(tag)
                else:
                    needs = tag in ("a", "img") or "style" in raw
                    self.handle_starttag(tag, _attributes(raw) if needs else {})
                    if raw.rstrip().endswith("/") and tag not in _VOID:
                        self.handle_endtag(tag)

    def handle_starttag(self, tag: str, values: dict[str, str]) -> None:
        if self.hidden_stack or _HIDDEN.search(values.get("style") or ""):
            if tag not in _VOID:
                self.hidden_stack.append(tag)
            return
        if tag in _SKIPPED:
            self.skip_depth += 1
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self._newline(2)
            self.parts.append("----------")
            self._newline(2)
        elif tag == "li":
            self._newline()
            counters = self.list_stack[-1] if self.list_stack else [-1]
            if counters[0] >= 0:
                counters[0] += 1
                self.parts.append(f"{counters[0]}. ")
            else:
                self.parts.append("- ")
        elif tag in ("ul", "ol"):
            self._newline(2 if not self.list_stack else 1)
            self.list_stack.append([0 if tag == "ol" else -1])
        elif tag in _BLOCKS:
            self._newline(2 if tag in _PARAGRAPHS else 1)
            if tag == "pre":
                self.pre_depth += 1
        elif tag in ("td", "th"):
            if self.parts and not self.parts[-1].endswith(("\n", " ")):
                self.parts.append(" ")
        elif tag == "img":
            alt = (values.get("alt") or "").strip()
            if alt:
                self.parts.append(alt)
        elif tag == "a":
            self.links.append((values.get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if self.hidden_stack:
            if self.hidden_stack[-1] == tag:
                self.hidden_stack.pop()
            return
        if tag in _SKIPPED:
            self.skip_depth = max(self.skip_depth - 1, 0)
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = _SPACES.sub(" ", "".join(self.parts[start:])).strip()
            shown = href[7:] if href.lower().startswith("mailto:") else href
            if href and not href.startswith("#") and shown and shown != label:
                self.parts.append(f" ({shown})" if label else shown)
        elif tag in ("ul", "ol"):
            if self.list_stack:
                self.list_stack.pop()
            self._newline(2 if not self.list_stack else 1)
        elif tag in _BLOCKS:
            if tag == "pre":
                self.pre_depth = max(self.pre_depth - 1, 0)
            self._newline(2 if tag in _PARAGRAPHS else 1)

    def handle_data(self, data: str) -> None:
        if self.skip_depth or self.hidden_stack:
            return
        if self.pre_depth:
            self.parts.append(data)
            return
        text = _SPACES.sub(" ", data)
        if not text.strip():
            if self.parts and not self.parts[-1].endswith(("\n", " ")):
                self.parts.append(" ")
            return
        if self.parts and self.parts[-1].endswith("\n"):
            text = text.lstrip()
        self.parts.append(text)

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(markup: str) -> str:
    """The plain-text part of an email from its rendered HTML.

    Paragraphs and headings become blank-line separated blocks, `<br>` a newline, list items
    `- ` or `1. ` lines, images their alt text, and links `label (url)` (just the URL when the
    label is the URL). `<head>`, `<style>`, `<script>` and `display:none` elements are dropped.
    """
    converter = _TextConverter()
    converter.feed(markup)
    return converter.text()


def html_inline_css(markup: str) -> str:
    """Move `<style>` rules onto the elements' `style` attributes (email clients drop `<style>`).

    `@media` rules are kept in a `<style>` block for the clients that honour them.
    """
    return _INLINER.inline(markup)


_PREHEADER_STYLE = (
    "display:none!important;visibility:hidden;mso-hide:all;font-size:1px;line-height:1px;"
    "max-height:0;max-width:0;opacity:0;overflow:hidden;color:transparent"
)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def html_preheader_insert(markup: str, preheader: str) -> str:
    """Put `preheader` (plain text) as a hidden span at the top of the body.

    Inbox lists show it after the subject; the page does not. A run of zero-width
    non-joiners after it keeps the body's first words out of the preview.
    """
    if not preheader.strip():
        return markup
    span = (
        f'<span class="preheader" style="{_PREHEADER_STYLE}">{html.escape(preheader.strip())}'
        f"{'&zwnj;&nbsp;' * 20}</span>"
    )
    body = _BODY_OPEN.search(markup)
    if body is None:
        return span + markup
    return markup[: body.end()] + span + markup[body.end() :]
