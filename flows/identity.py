"""Identity documents and phone numbers: validation, derived facts, masking.

Mainland resident ID numbers follow GB 11643-1999: 17 digits (6 area, 8 birth date YYYYMMDD,
3 sequence, the last of which is odd for men and even for women) and an ISO 7064 MOD 11-2 check
character (0-9 or X).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum

import phonenumbers

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


class IdProblem(Enum):
    LENGTH = "length"
    CHARACTERS = "characters"
    BIRTH_DATE = "birth_date"
    CHECKSUM = "checksum"


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "M" or "F"


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def clean_id(text: str) -> str:
    """Fold full-width characters, drop spaces and dashes, upper-case the check letter."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if ch not in " -\t").upper()


def parse_resident_id(text: str, today: date) -> ResidentId | IdProblem:
    """Validate a mainland resident ID number; the ID, or the first problem found."""
    number = clean_id(text)
    if len(number) != 18:
        return IdProblem.LENGTH
    if not _ID_SHAPE.fullmatch(number):  # ASCII only: "١" is a digit to str.isdigit()
        return IdProblem.CHARACTERS
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return IdProblem.BIRTH_DATE
    if born.year < 1900 or born > today:
        return IdProblem.BIRTH_DATE
    if check_character(number[:17]) != number[17]:
        return IdProblem.CHECKSUM
    return ResidentId(number, born, "M" if int(number[16]) % 2 else "F")


def age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day`` (a 29 February birthday counts from 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# Every SMS turn asks it of the sender's number; a rush has tens of thousands of senders, each
# writing again within minutes (about 200 bytes an entry).
@functools.lru_cache(maxsize=65_536)
@functools.lru_cache(maxsize=4096)
def normalise_phone(text: str, region: str = "CN") -> str | None:
    """A mobile number in E.164 form (``+8613800138000``), or None if it is not one. Kept
    for the numbers seen lately: every SMS's sender is read, at each message, and parsing
    one (phonenumbers) takes a tenth of a millisecond and more."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if not folded or len(folded) > 32:
        return None
    try:
        number = phonenumbers.parse(folded, region)
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.number_type(number)  # UNKNOWN for an invalid number
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str) -> str:
    """``+8613800138000`` → ``138****8000``: enough for its owner to recognise, no more."""
    digits = phone.removeprefix("+86") if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_address(address: str) -> str:
    """Any channel address for logs: a phone as ``138****8000``, a mail address as
    ``z***@example.com``, anything else (a chat id) down to its last three characters."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if address.startswith("+") or (len(address) == 11 and address.startswith("1")):
        return mask_phone(address)  # E.164, or a mainland mobile written nationally
    return f"***{address[-3:]}" if len(address) > 3 else "***"


def mask_id(number: str) -> str:
    """``440106199001011234`` → ``4401**********1234``."""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"
