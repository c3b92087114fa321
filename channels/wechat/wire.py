"""WeChat's XML: reading a pushed message, writing a passive reply and the safe-mode envelope.

A pushed message is one flat ``<xml>`` element whose children are the fields (``ToUserName``,
``FromUserName``, ``CreateTime``, ``MsgType``, ``Content``, ``MsgId``, ``Event``, ``EventKey``,
``Encrypt`` ...), values usually in CDATA. Read with the standard library's expat parser, after
refusing any document type declaration: without a DTD there are no entities to expand (no
"billion laughs", no external entities), and WeChat never sends one. The body is already capped
in size by the server; a field longer than ``MAX_FIELD`` is refused too.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

MAX_FIELD = 8192  # characters; a WeChat text message holds at most 2,048 bytes
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, lone surrogates, FFFE/FFFF).
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class BadXml(ValueError):
    """Not a WeChat message; the message says why (for the 400)."""


def parse(body: bytes) -> dict[str, str]:
    """The fields of a pushed message (direct children of ``<xml>``), as text.

    WeChat sends UTF-8. The body is decoded first and parsed as text (which makes expat ignore
    a declared encoding): a document in UTF-16 hid its declarations from the check below, and
    expat spent a quarter of a second on a kilobyte of nested entities before refusing it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadXml("not UTF-8") from None
    if _DTD.search(text):
        raise BadXml("document type declarations are not accepted")
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, ValueError):
        raise BadXml("not XML") from None
    if root.tag != "xml":
        raise BadXml("not a WeChat message")
    fields: dict[str, str] = {}
    for child in root:
        value = (child.text or "").strip() if child.tag != "Content" else (child.text or "")
        if len(value) > MAX_FIELD:
            raise BadXml(f"{child.tag} too long")
        fields[str(child.tag)] = value
    return fields


def cdata(value: str) -> str:
    """``value`` as CDATA (a ``]]>`` inside split across two sections)."""
    clean = _INVALID.sub("", value)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to: str, account: str, created: int, content: str) -> str:
    """A passive reply: one text message to ``to`` from the account."""
    return (
        f"<xml><ToUserName>{cdata(to)}</ToUserName><FromUserName>{cdata(account)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def envelope(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The safe-mode reply around an encrypted passive reply."""
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{cdata(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
