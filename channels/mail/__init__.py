"""Email: residents write to the bot's address and get answers by mail.

- ``channels.mail.settings``: ``EmailSettings`` (the environment);
- ``channels.mail.channel``: ``EmailChannel`` (the SMTP server on serve's event loop,
  aiosmtpd);
- ``channels.mail.reading``: from a mail to the one line the engine reads;
- ``channels.mail.writing``: from the engine's replies to one threaded mail;
- ``channels.mail.delivery``: ``EmailDelivery``, the outbox's sender through an SMTP relay.

See docs/email.md.
"""

from channels.mail.channel import EmailChannel
from channels.mail.delivery import CHANNEL, EmailDelivery, RelaySettings
from channels.mail.settings import EmailConfigError, EmailSettings

__all__ = [
    "CHANNEL",
    "EmailChannel",
    "EmailConfigError",
    "EmailDelivery",
    "EmailSettings",
    "RelaySettings",
]
