"""Email: how a resident's mail is read: charsets (GBK, Big5), RFC 2047 subjects, HTML, quoted
replies, flowed text, robots; first the reading functions, then the same mail over SMTP.
"""

from __future__ import annotations

import asyncio
import base64
from email.parser import BytesParser
from typing import Any

import pytest

from bot.engine import Engine
from channels.mail import channel
from channels.mail.channel import read_mail
from channels.mail.reading import decode, first_line, header_text, html_text, mask_address
from channels.mail.writing import reply_subject
from tests.email_support import BOT, ZHANG, mail, rig

# -- reading a mail ----------------------------------------------------------------------------


def test_charsets_are_decoded_by_their_supersets() -> None:
    # 镕 is GBK, not GB2312: clients still label such mail "gb2312"
    assert decode("朱镕基 预约".encode("gbk"), "gb2312") == "朱镕基 预约"
    assert decode("朱镕基".encode("gb18030"), "GBK") == "朱镕基"
    assert decode("預約 張三".encode("big5"), "big5") == "預約 張三"
    assert decode("€ 預約".encode("cp950"), "big5") == "€ 預約"  # Microsoft's Big5
    assert decode("预约".encode(), None) == "预约"
    assert decode("我要预约接种".encode("gbk"), "utf-8") == "我要预约接种"  # mislabelled: guessed
    assert decode("预约".encode(), "x-unknown-charset") == "预约"
    # an RFC 2047 subject labelled gb2312 holding a GBK character, and raw 8-bit UTF-8
    word = base64.b64encode("朱镕基的预约".encode("gbk")).decode()
    assert header_text(f"=?gb2312?B?{word}?=".encode()) == "朱镕基的预约"
    assert header_text("Re: 预约".encode()) == "Re: 预约"
    assert header_text(b"=?utf-8?Q?=E9=A2=84=E7=BA=A6?= now") == "预约 now"
    two = base64.b64encode("预约".encode("gbk")).decode()  # adjacent words: no space between
    assert header_text(f"Re: =?utf-8?Q?=E6=88=91?= =?gbk?B?{two}?=".encode()) == "Re: 我预约"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("1\n\nOn Thu, 17 Jun 2021 at 09:00, vaxbot <bot@vax.example.org> wrote:\n> 1 预约", "1"),
        ("\n\n  预约  \nZhang San\n", "预约"),
        ("> 您好！\n> 回复1 预约接种\n\n2\n", "2"),  # answered below the quote
        ("On Thu, 17 Jun 2021 at 09:00, vaxbot <bot@vax.example.org>\nwrote:\n> old\n3", "3"),
        ('在 2021-06-17 09:00:00，"vaxbot" <bot@vax.example.org> 写道：\n> 旧\n改期', "改期"),
        ("vaxbot <bot@vax.example.org> 于2021年6月17日周四 09:00写道：\n> 旧\n\n查询", "查询"),
        ("-----Original Message-----\nFrom: vaxbot\n1", ""),
        ("------------------ 原始邮件 ------------------\n发件人: vaxbot\n1", ""),
        ("发件人: vaxbot <bot@vax.example.org>\n发送时间: 2021年6月17日\n1", ""),
        ("________________________________\nFrom: vaxbot\n1", ""),
        ("-- \nZhang San\n13800138000", ""),
        ("发自我的iPhone\n\n> 1", ""),
        ("On Thu, 17 Jun 2021 vaxbot <bot@vax.example.org> wrote:\nunquoted old text", ""),
        ("在吗？\n在 2021-06-17 09:00，vaxbot <bot@vax.example.org> 写道：\n> 旧", "在吗？"),
        ("I wrote: 1", "I wrote: 1"),
    ],
)
def test_the_first_line_of_new_text_is_read(text: str, line: str) -> None:
    assert first_line(text) == line


def test_html_becomes_text_without_the_quoted_mail() -> None:
    html = (
        "<html><head><style>p {color: red}</style><title>t</title></head><body>"
        "<div dir='ltr'>预约&nbsp;<b>接种</b></div><div><br></div>"
        "<div class='gmail_quote'><div>On Thu, 17 Jun 2021 vaxbot &lt;bot@x.org&gt; wrote:<br>"
        "</div><blockquote>您好！<br>回复1 预约接种</blockquote></div><script>x()</script>"
        "</body></html>"
    )
    text = html_text(html)
    assert first_line(text) == "预约 接种"
    assert "您好" not in text and "x()" not in text and "color" not in text


def test_addresses_are_masked_for_the_logs() -> None:
    assert mask_address("zhang.san@example.com") == "z***@example.com"
    assert mask_address("13800138000@sms.example.com") == "1***@sms.example.com"
    assert mask_address("nobody") == "***"


def test_reply_subject() -> None:
    assert reply_subject("预约") == "Re: 预约"
    assert reply_subject("RE: Re: 预约") == "Re: 预约"
    assert reply_subject("回复：Re: 预约") == "Re: 预约"
    assert reply_subject(" \n ") == "疫苗接种预约 / Vaccination booking"
    assert reply_subject("a\r\nBcc: x@y.org") == "Re: a Bcc: x@y.org"  # no header injection


def test_junk_is_refused_and_robots_are_not_answered() -> None:
    def raw(headers: str, body: str = "1") -> bytes:
        return f"{headers}\r\nMessage-ID: <r@example.com>\r\n\r\n{body}\r\n".encode()

    ok = read_mail(raw(f"From: {ZHANG}\r\nSubject: hi"), ZHANG)
    assert ok is not None and ok.text == "1" and ok.address == ZHANG.lower()
    assert ok.key == f"{ZHANG.lower()} <r@example.com>"
    for bad in ("Subject: no sender", f"From: {ZHANG}, li@example.com", "From: not an address"):
        with pytest.raises(Exception, match=r"550 5\.1\.7"):
            read_mail(raw(bad), ZHANG)
    assert read_mail(raw(f"From: {ZHANG}"), "") is None  # a bounce
    assert read_mail(raw(f"From: {ZHANG}\r\nAuto-Submitted: auto-replied"), ZHANG) is None
    assert read_mail(raw(f"From: {ZHANG}\r\nPrecedence: bulk"), ZHANG) is None
    assert read_mail(raw(f"From: {ZHANG}\r\nAuto-Submitted: no"), ZHANG) is not None
    # no body text: the subject of a new mail is the message; of a reply, nothing is
    subject_only = read_mail(raw(f"From: {ZHANG}\r\nSubject: Re: 预约", ""), ZHANG)
    assert subject_only is not None and subject_only.text == "预约"
    reply = read_mail(raw(f"From: {ZHANG}\r\nSubject: Re: x\r\nIn-Reply-To: <a@b>", ""), ZHANG)
    assert reply is not None and reply.text == "" and reply.earlier == ("<a@b>",)


def _nested(levels: int) -> bytes:
    """A mail whose text is ``levels`` multipart parts deep."""
    head = f"From: {ZHANG}\r\nMessage-ID: <n@x>\r\nMIME-Version: 1.0\r\n".encode()
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(levels)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(levels)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nbook\r\n" + closing


def test_a_mail_nested_past_any_client_is_refused_unparsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = read_mail(_nested(4), ZHANG)  # mixed > alternative > related: as clients nest
    assert read is not None and read.text == "book"
    parsed: list[bytes | bytearray] = []

    class Counting(BytesParser):
        def parsebytes(self, text: bytes | bytearray, headersonly: bool = False) -> Any:
            parsed.append(text)
            return super().parsebytes(text, headersonly)

    monkeypatch.setattr(channel, "BytesParser", Counting)
    # 1,000 nested parts in 67 KB: the parser's work grows with the square of the depth (4 s)
    with pytest.raises(channel.Refused, match=r"554 5\.6\.0"):
        read_mail(_nested(1000), ZHANG)
    assert parsed == []


def test_flowed_quoted_printable_text_is_joined() -> None:
    raw = (
        f"From: {ZHANG}\r\nMessage-ID: <f@x>\r\n"
        "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "=E6=88=91=E8=A6=81 \r\n=E9=A2=84=E7=BA=A6\r\n\r\n> old \r\n> text\r\n"
    ).encode()
    read = read_mail(raw, ZHANG)
    assert read is not None and read.text == "我要预约"  # soft break, its space deleted


def raw_mail(
    body: bytes, content_type: str, subject: str = "", sender: str = ZHANG, mid: str = "<r@x>"
) -> bytes:
    head = (
        f"From: {sender}\r\nTo: {BOT}\r\nSubject: {subject}\r\nMessage-ID: {mid}\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode() + body + b"\r\n"


# -- charsets, HTML, quotes ------------------------------------------------------------------


def test_chinese_subjects_gbk_big5_html_and_quoted_replies(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        async with rig(engine, monkeypatch) as bot:
            # A GB2312-labelled subject (RFC 2047) and a GBK body, 8-bit
            word = base64.b64encode("朱镕基的疫苗预约".encode("gbk")).decode()
            raw = raw_mail(
                "预约\r\n\r\n朱镕基".encode("gbk"),
                "text/plain; charset=gb2312",
                subject=f"=?gb2312?B?{word}?=",
                sender="zhu@example.com",
                mid="<gbk@example.com>",
            )
            reply = await bot.ask(raw, sender="zhu@example.com")
            assert bot.seen[-1].text == "预约"
            assert bot.seen[-1].address == "zhu@example.com"
            assert reply.message["Subject"] == "Re: 朱镕基的疫苗预约"
            assert reply.text.startswith("预登记须知")

            # Big5 (traditional characters, as CP950)
            raw = raw_mail(
                "預約 張三\r\n".encode("cp950"),
                'text/plain; charset="big5"',
                subject="=?big5?B?" + base64.b64encode("預約".encode("big5")).decode() + "?=",
                sender="chan@example.com.tw",
                mid="<big5@example.com>",
            )
            reply = await bot.ask(raw, sender="chan@example.com.tw")
            assert bot.seen[-1].text == "預約 張三"
            assert reply.message["Subject"] == "Re: 預約"

            # HTML only, with the earlier mail in a blockquote
            html = (
                "<html><body><div>查询&nbsp;</div><br><div class=gmail_quote>"
                "<blockquote>回复1 预约接种</blockquote></div></body></html>"
            )
            raw = raw_mail(
                html.encode(), "text/html; charset=utf-8", subject="q", mid="<html@example.com>"
            )
            await bot.ask(raw)
            assert bot.seen[-1].text == "查询"

            # A bottom-posted answer under an English attribution and quoted lines
            text = (
                "On Thu, 17 Jun 2021 at 09:00, vaxbot <bot@vax.example.org> wrote:\n"
                "> Hello! This is COVID-19 vaccination booking.\n> 1 Book a vaccination\n\n"
                "menu\n\nZhang\n"
            )
            await bot.ask(mail(text, message_id="<bottom@example.com>"))
            assert bot.seen[-1].text == "menu"

            # multipart/alternative: the plain text wins
            message = mail("status", message_id="<alt@example.com>")
            message.add_alternative("<p>ignored</p>", subtype="html")
            await bot.ask(message)
            assert bot.seen[-1].text == "status"

    asyncio.run(run())
