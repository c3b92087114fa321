"""WeChat's message signatures and the safe-mode (安全模式) envelope.

Signatures: SHA-1, in hex, of the given strings sorted and joined — ``signature`` over the token,
``timestamp`` and ``nonce`` (server URL verification and every POST), ``msg_signature`` over
those and the ``Encrypt`` text (safe mode). Compared in constant time.

The envelope: AES-256-CBC with the key ``base64(EncodingAESKey + "=")`` (43 characters give 32
bytes) and its first 16 bytes as the IV; the plaintext is 16 random bytes, the message length
(4 bytes, network order), the message (UTF-8 XML) and the AppID, padded PKCS#7 to a multiple
of **32** bytes (not AES's 16); the result travels base64-encoded. A message whose AppID is not
ours, or whose padding or length does not add up, is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes


class CryptoError(ValueError):
    """A message that cannot be ours: bad key, bad envelope, another AppID."""


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signed(given: str, *parts: str) -> bool:
    """Whether ``given`` is the signature of ``parts`` (constant-time comparison)."""
    return hmac.compare_digest(given.lower().encode(), signature(*parts).encode())


def pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def unpad(data: bytes) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad padding")
    return data[:-n]


class Envelope:
    """Encrypts and decrypts safe-mode messages for one account (EncodingAESKey, AppID)."""

    def __init__(self, aes_key: str, appid: str) -> None:
        if len(aes_key) != 43:
            raise CryptoError("the EncodingAESKey has 43 characters")
        try:
            self.key = base64.b64decode(aes_key + "=", validate=True)
        except binascii.Error:
            raise CryptoError("the EncodingAESKey is not base64") from None
        self.appid = appid.encode()

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, random: bytes | None = None) -> str:
        body = message.encode()
        plain = (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.appid
        coder = self._cipher().encryptor()
        return base64.b64encode(coder.update(pad(plain)) + coder.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("not base64") from None
        if not data or len(data) % 16:
            raise CryptoError("not whole AES blocks")
        coder = self._cipher().decryptor()
        plain = unpad(coder.update(data) + coder.finalize())
        if len(plain) < 20:
            raise CryptoError("too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, appid = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length or not hmac.compare_digest(appid, self.appid):
            raise CryptoError("not for this AppID")
        try:
            return message.decode()
        except UnicodeDecodeError:
            raise CryptoError("not UTF-8") from None
