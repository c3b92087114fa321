"""Reading a resident's mail: who wrote it, and the one line they wrote.

A resident answers the bot as they would an SMS: "1", "预约", a name, an ID number. Everything
else in a mail is noise to the engine: the quoted earlier messages, signatures, HTML markup. So:

- the text is the ``text/plain`` body, else the ``text/html`` one turned into text;
- charsets are decoded generously: GB2312 and GBK (as mail clients label them) with GB18030, a
  superset of both; Big5 with CP950 (Microsoft's Big5, what most Big5 mail really is), then
  Big5-HKSCS; an unknown or missing charset as UTF-8, else GB18030;
- quoted text is skipped: lines starting with ``>``, and the attribution line above them
  (``On ... wrote:``, ``在 ... 写道：``, ``... 于<date>写道：``; one not followed by quoted lines
  ends the new text); and everything from a separator on (``-----Original Message-----``,
  ``------ 原始邮件 ------``, an Outlook header block ``From:`` / ``发件人:``, a line of
  underscores, a signature ``-- ``, ``Sent from my iPhone`` / ``发自我的iPhone``);
- the message is the first line left with any text on it.
"""

from __future__ import annotations

import codecs
import email.header
import re
from email.message import EmailMessage
from html.parser import HTMLParser

# Charset labels -> codecs to try, in order (strictly; the first again with replacement if none
# fits). Clients label GBK mail "gb2312"; Big5 mail is usually CP950.
_GB = ("gb18030",)
_BIG5 = ("cp950", "big5hkscs")
CHARSETS: dict[str, tuple[str, ...]] = {
    "gb2312": _GB,
    "gbk": _GB,
    "x-gbk": _GB,
    "cp936": _GB,
    "ms936": _GB,
    "euc-cn": _GB,
    "gb18030": _GB,
    "big5": _BIG5,
    "x-big5": _BIG5,
    "cp950": _BIG5,
    "big5-hkscs": ("big5hkscs", "cp950"),
    "big5hkscs": ("big5hkscs", "cp950"),
}
FALLBACK = ("utf-8", "gb18030")  # for missing, unknown or wrong labels
MAX_LINE = 2000  # characters handed to the engine at most (it answers "too long" past 500)

_QUOTED = re.compile(r"^\s*>")
_SEPARATOR = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\s+message|forwarded\s+message|原始邮件|原始郵件|转发邮件|轉寄郵件)
            .*
      | _{8,}
      | (?:from|发件人|發件人|寄件者|寄件人)\s*[:：].*
      | --
      | (?:sent\s+from\s+my|get\s+outlook\s+for|发自我的|發自我的|从我的|從我的|来自我的|來自我的)
            .*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "On <date>, <name> wrote:", "在 <date>，<name> 写道：", "<name> 于<date>写道：", ...: a line
# ending in "wrote:" / "写道：" with a date or an address in it (or starting with "On").
_ATTRIBUTION = re.compile(r"^(?=.*[\d@]|on\s).+(?:\swrote|写道|寫道)\s*[:：]$", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv|回复|回覆|答复|转发|轉寄)\s*[:：]\s*)+", re.I)
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def _known(codec: str) -> bool:
    try:
        codecs.lookup(codec)
    except LookupError:
        return False
    return True


def decode(data: bytes, charset: str | None) -> str:
    """``data`` as text: the declared charset (or its superset) if it fits, else a guess."""
    label = (charset or "").strip().strip('"').lower()
    declared = CHARSETS.get(label) or ((label,) if label and _known(label) else ())
    for codec in (*declared, *FALLBACK):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode(declared[0] if declared else "utf-8", errors="replace")


def header_text(raw: bytes | None) -> str:
    """A raw header value as text: RFC 2047 encoded words decoded (with ``decode``'s charset
    rules, so a "gb2312" word holding GBK characters still reads), raw 8-bit bytes guessed."""
    if not raw:
        return ""
    value = raw.decode("ascii", errors="surrogateescape")
    try:
        chunks = email.header.decode_header(value)
    except (ValueError, AssertionError):  # a malformed encoded word: read it as it is
        chunks = [(value, None)]
    parts: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            chunk = chunk.encode("ascii", errors="surrogateescape")
        parts.append(decode(chunk, charset))
    return " ".join("".join(parts).split())


def raw_header(raw: bytes, name: str) -> bytes | None:
    """The first ``name`` header of a raw message, unfolded, undecoded."""
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    prefix = name.lower().encode("ascii") + b":"
    for line in re.sub(rb"\r?\n[ \t]", b" ", head).splitlines():
        if line.lower().startswith(prefix):
            return line[len(prefix) :].strip()
    return None


class _HtmlText(HTMLParser):
    """Visible text of an HTML body, one line per block; quoted mail (``<blockquote>``) left out."""

    SKIP = frozenset({"script", "style", "head", "title", "blockquote"})
    BLOCK = frozenset(
        {"p", "div", "br", "li", "tr", "table", "ul", "ol", "pre", "hr", "section", "article"}
        | {"h1", "h2", "h3", "h4", "h5", "h6"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(html: str) -> str:
    """An HTML body as plain text lines."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).split("\n"))


def unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of ``format=flowed`` text (RFC 3676)."""
    lines: list[str] = []
    carry = ""
    for line in text.split("\n"):
        if line != "-- " and not line.startswith(">") and line.endswith(" "):
            carry += line[:-1] if delsp else line
            continue
        lines.append(carry + line)
        carry = ""
    if carry:
        lines.append(carry)
    return "\n".join(lines)


def _attribution(lines: list[str], i: int) -> int:
    """How many lines the attribution starting at line ``i`` takes (0: none; it may wrap)."""
    if _ATTRIBUTION.match(lines[i]):
        return 1
    if lines[i] and i + 1 < len(lines) and not _ATTRIBUTION.match(lines[i + 1]):
        return 2 if _ATTRIBUTION.match(f"{lines[i]} {lines[i + 1]}") else 0
    return 0


def first_line(text: str) -> str:
    """The first line of new text: quotes, attributions and what follows a separator skipped."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    i = 0
    while i < len(lines):
        line = lines[i]
        if _SEPARATOR.match(line):
            break
        if taken := _attribution(lines, i):
            # Quoted lines follow an attribution: skip them all. Anything else after one is the
            # earlier mail, unmarked (some clients do that): stop there.
            after = next((rest for rest in lines[i + taken :] if rest), "")
            if not _QUOTED.match(after):
                break
            i += taken
            continue
        if line and not _QUOTED.match(line):
            return line[:MAX_LINE]
        i += 1
    return ""


def body_text(message: EmailMessage) -> str | None:
    """The mail's text (plain preferred, else HTML as text), decoded; None if it has none."""
    found: str | None = None
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        text = decode(data, part.get_content_charset())
        if kind == "html":
            text = html_text(text)
        elif str(part.get_param("format", "")).lower() == "flowed":
            delsp = str(part.get_param("delsp", "no")).lower() == "yes"
            text = unflow(text.replace("\r\n", "\n"), delsp)
        if first_line(text):
            return text
        found = text if found is None else found
    return found


def strip_reply_prefix(subject: str) -> str:
    """A subject without its ``Re:`` / ``回复：`` / ``Fwd:`` prefixes."""
    return _REPLY_PREFIX.sub("", subject).strip()


def valid_address(address: str) -> bool:
    return bool(_ADDRESS.fullmatch(address))


def message_ids(value: str | None) -> list[str]:
    """The ``<id>`` tokens of a Message-ID / In-Reply-To / References header."""
    return _MESSAGE_ID.findall(value or "")


def mask_address(address: str) -> str:
    """``zhang@example.com`` → ``z***@example.com`` (for the logs)."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"
