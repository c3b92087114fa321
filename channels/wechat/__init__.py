"""WeChat Official Account (公众号): one module per concern.

- ``crypto``: signatures and the safe-mode AES envelope;
- ``wire``: reading pushed XML (no DTDs) and writing passive replies;
- ``render``: replies as text, options as numbered lines, split at 2,048 bytes;
- ``webhook``: ``GET/POST /wechat`` (verification, messages, events, the 5-second deadline);
- ``api``: the access token (stable_token) and the API calls, errcodes;
- ``delivery``: the outbox's way to WeChat (customer-service, else template messages);
- ``settings``, ``texts``: configuration and the channel's own words (and the custom menu).

See docs/wechat.md.
"""

CHANNEL = "wechat"
