"""Writing the bot's mail: one reply per turn, threaded under the resident's message.

A turn's replies become one message: the texts one after another (a blank line between), each
with its options as numbered lines as in an SMS (``回复1 预约接种`` / ``1 Book a vaccination``);
``Subject: Re: <their subject>`` (or a default), ``In-Reply-To`` their Message-ID and
``References`` their References plus that id, so mail clients show one conversation. Plain text
in UTF-8 (quoted-printable or base64, whichever is shorter: 7-bit clean for any relay), the
booking's files attached (the ``.ics`` as ``text/calendar``, the QR code as ``image/png``), and
``Auto-Submitted: auto-replied`` (RFC 3834), which keeps well-behaved auto-responders from
answering the bot (and the bot ignores mail that carries it).
"""

from __future__ import annotations

import email.policy
import email.utils
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage

from bot.messages import Reply
from channels.mail.reading import strip_reply_prefix
from channels.sms.render import render

# Whole messages are built and stored 7-bit clean: they wait in the outbox as text, and any
# relay (8BITMIME or not) takes them as they are.
POLICY = email.policy.default.clone(cte_type="7bit")
DEFAULT_SUBJECT = "疫苗接种预约 / Vaccination booking"
MAX_SUBJECT = 200  # characters of the resident's subject kept in ours
MAX_REFERENCES = 20  # message ids kept in References: the first and the most recent


def reply_subject(subject: str) -> str:
    """``Re: <subject>`` with one ``Re:`` however many it had; the default subject if empty."""
    subject = strip_reply_prefix(" ".join(subject.split()))[:MAX_SUBJECT]
    return f"Re: {subject}" if subject else DEFAULT_SUBJECT


def references(earlier: Sequence[str], message_id: str | None) -> list[str]:
    """The References of a reply: theirs (or their In-Reply-To), then their Message-ID."""
    ids = [*earlier, *([message_id] if message_id else [])]
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_REFERENCES:  # keep the thread's first message, and the latest
        unique = [unique[0], *unique[-(MAX_REFERENCES - 1) :]]
    return unique


def body(replies: Sequence[Reply]) -> str:
    return "\n\n".join(render(reply) for reply in replies) + "\n"


def compose(
    *,
    sender: str,
    to: str,
    subject: str,
    replies: Sequence[Reply],
    in_reply_to: str | None = None,
    earlier: Sequence[str] = (),
    domain: str,
    now: datetime | None = None,
) -> EmailMessage:
    """The reply to one message: all of the turn's replies, and their attachments."""
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = reply_subject(subject)
    message["Date"] = email.utils.format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = email.utils.make_msgid("vaxbot", domain=domain)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if refs := references(earlier, in_reply_to):
        message["References"] = " ".join(refs)
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(body(replies), charset="utf-8")
    for reply in replies:
        for attachment in reply.attachments:
            maintype, _, subtype = attachment.mime.partition("/")
            message.add_attachment(
                attachment.data,
                maintype=maintype,
                subtype=subtype or "octet-stream",
                filename=attachment.name,
            )
    return message


def notice(*, sender: str, to: str, text: str, domain: str) -> EmailMessage:
    """A message the bot sends on its own (a reminder, an offer) from an outbox text."""
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = DEFAULT_SUBJECT
    message["Date"] = email.utils.format_datetime(datetime.now(UTC))
    message["Message-ID"] = email.utils.make_msgid("vaxbot", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.rstrip("\n") + "\n", charset="utf-8")
    return message
