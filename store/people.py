"""People: accounts (a phone and the addresses linked to it), the residents an account manages,
the doses they received and their health screenings.

ID numbers are sealed with the data key (``id_sealed``) and found by their keyed index
(``id_index``, which also keeps them unique); screening answers are sealed (docs/privacy.md).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from store.audit import Audit
from store.crypto import Keyring
from store.db import Db, UniqueViolation
from store.models import Dose, DoseExists, DuplicateDocument, Resident, Screening, StoreError
from store.rows import RESIDENT_COLUMNS, Codes, compact_json, marks, resident, stamp
from store.sealing import document_key, resident_where

ID_TYPES = ("resident_id", "passport", "permit")  # permit: 回乡证, 台胞证


class People:
    def __init__(self, db: Db, audit: Audit, codes: Codes, keys: Keyring) -> None:
        self._db = db
        self._audit = audit
        self._codes = codes
        self.keys = keys

    # -- accounts and addresses -------------------------------------------------------------

    def account_phone(self, account_id: int) -> str | None:
        row = self._db.one("SELECT phone FROM accounts WHERE id = :id", {"id": account_id})
        return str(row[0]) if row and row[0] else None

    def account_by_phone(self, phone: str) -> int | None:
        row = self._db.one("SELECT id FROM accounts WHERE phone = :phone", {"phone": phone})
        return int(row[0]) if row else None

    def account_created_at(self, account_id: int) -> str | None:
        """When an account was made (the stamp as stored)."""
        row = self._db.one("SELECT created_at FROM accounts WHERE id = :id", {"id": account_id})
        return str(row[0]) if row else None

    def account_count(self) -> int:
        row = self._db.one("SELECT COUNT(*) FROM accounts")
        return int(row[0]) if row else 0

    def link_address(
        self, channel: str, address: str, phone: str, *, now: datetime, actor: str
    ) -> int:
        """Make ``(channel, address)`` part of the identity of ``phone``; returns its account.

        People registered from the address before it was linked move to that account, so the
        resident keeps them.
        """
        with self._db.transaction():
            target = self._new_or_phone_account(phone, now)
            before = self.account_of(channel, address)
            self._db.execute(
                "INSERT INTO addresses (channel, address, account_id) "
                "VALUES (:channel, :address, :account) "
                "ON CONFLICT (channel, address) DO UPDATE SET account_id = excluded.account_id",
                {"channel": channel, "address": address, "account": target},
            )
            if before is not None and before != target:
                self._db.execute(
                    "UPDATE residents SET account_id = :target WHERE account_id = :before",
                    {"target": target, "before": before},
                )
            self._audit.record(now, actor, channel, "link", "account", target,
                               {"account_id": before}, {"account_id": target})  # fmt: skip
        return target

    def _new_or_phone_account(self, phone: str | None, now: datetime) -> int:
        """The account of ``phone``, created if there is none (always new without a phone)."""
        found = self.account_by_phone(phone) if phone else None
        if found is not None:
            return found
        return self._db.insert(
            "INSERT INTO accounts (phone, created_at) VALUES (:phone, :at)",
            {"phone": phone, "at": stamp(now)},
        )

    def account_of(self, channel: str, address: str) -> int | None:
        """The account behind a channel address, if it has one."""
        row = self._db.one(
            "SELECT account_id FROM addresses WHERE channel = :channel AND address = :address",
            {"channel": channel, "address": address},
        )
        return int(row[0]) if row else None

    def account_for(self, channel: str, address: str, phone: str | None, now: datetime) -> int:
        """The account behind a channel address, created on first contact.

        An address that is a phone number joins the account of that phone, so the same person
        texting and calling the hotline is one account.
        """
        with self._db.transaction():
            self._db.lock(f"address {channel} {address}")  # one account per address
            account_id = self.account_of(channel, address)
            if account_id is None:
                account_id = self._new_or_phone_account(phone, now)
                self._db.execute(
                    "INSERT INTO addresses (channel, address, account_id) "
                    "VALUES (:channel, :address, :account)",
                    {"channel": channel, "address": address, "account": account_id},
                )
        return account_id

    # -- residents ---------------------------------------------------------------------------

    def _residents(self, where: str, params: dict[str, Any]) -> list[Resident]:
        rows = self._db.all(
            f"SELECT {RESIDENT_COLUMNS} FROM residents WHERE {where} ORDER BY id", params
        )
        return [resident(row, self.keys) for row in rows]

    def residents_of(self, account_id: int) -> list[Resident]:
        return self._residents("account_id = :account", {"account": account_id})

    def resident(self, resident_id: int) -> Resident | None:
        found = self._residents("id = :id", {"id": resident_id})
        return found[0] if found else None

    def resident_by_prereg_code(self, code: str) -> Resident | None:
        found = self._residents("prereg_code = :code", {"code": code.strip().upper()})
        return found[0] if found else None

    def document_indexes(self, id_type: str, id_number: str) -> list[str]:
        """The keyed index of a document under each data key (the current one first)."""
        return self.keys.indexes(document_key(id_type, id_number))

    def sealed_document(self, id_type: str, id_number: str) -> tuple[str, str]:
        """A document as a resident's row holds it: its index under the current key, and its
        number sealed to that row's place."""
        index = self.document_indexes(id_type, id_number)[0]
        return index, self.keys.seal(id_number, resident_where(index))

    def resident_by_document(self, id_type: str, id_number: str) -> Resident | None:
        listed, params = marks("i", self.document_indexes(id_type, id_number))
        found = self._residents(f"id_index IN ({listed})", params)
        return found[0] if found else None

    def residents_with_phone(self, phone: str) -> list[Resident]:
        """People whose own phone is ``phone`` (whoever manages them)."""
        return self._residents("phone = :phone", {"phone": phone})

    def residents_with_document(self, number: str) -> list[Resident]:
        indexes = [i for kind in ID_TYPES for i in self.document_indexes(kind, number)]
        listed, params = marks("i", indexes)
        return self._residents(f"id_index IN ({listed})", params)

    def residents_named(self, text: str, limit: int) -> list[Resident]:
        rows = self._db.all(
            f"SELECT {RESIDENT_COLUMNS} FROM residents WHERE name LIKE :pattern ORDER BY id "
            "LIMIT :limit",
            {"pattern": f"%{text}%", "limit": limit},
        )
        return [resident(row, self.keys) for row in rows]

    def residents_containing(self, fragment: str, limit: int) -> list[Resident]:
        """People an operator's search finds: by part of their name or phone ("the number ends
        5678"), by their whole ID number, or by the birth date written in one (19520109).
        ID numbers are sealed and found by their keyed index only, so a part of one that is not
        its birth date finds nobody (docs/privacy.md)."""
        digits = fragment.replace(" ", "").replace("-", "")
        born = None
        if len(digits) == 8 and digits.isascii() and digits.isdigit():
            born = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
        rows = self._db.all(
            f"SELECT {RESIDENT_COLUMNS} FROM residents WHERE name LIKE :pattern "
            "OR replace(phone, ' ', '') LIKE :digits OR birth_date = :born ORDER BY id "
            "LIMIT :limit",
            {"pattern": f"%{fragment}%", "digits": f"%{digits}%", "born": born, "limit": limit},
        )
        found = [resident(row, self.keys) for row in rows]
        seen = {person.id for person in found}
        whole = [p for p in self.residents_with_document(digits) if p.id not in seen]
        return (found + whole)[:limit]

    def all_residents(self) -> list[Resident]:
        return self._residents("1 = 1", {})

    def awaiting_next_dose(self) -> list[Resident]:
        """People with a dose on record and no active booking for the one after it (whether
        another dose is due is for the schedule to say)."""
        return self._residents(
            "id IN (SELECT d.resident_id FROM doses d WHERE d.dose = (SELECT MAX(dose) FROM doses "
            "e WHERE e.resident_id = d.resident_id) AND NOT EXISTS (SELECT 1 FROM bookings b "
            "WHERE b.resident_id = d.resident_id AND b.dose = d.dose + 1 AND b.status = 'active'))",
            {},
        )

    def add_resident(
        self,
        *,
        account_id: int,
        name: str,
        id_type: str,
        id_number: str,
        birth_date: date,
        sex: str | None,
        phone: str,
        district_id: str,
        now: datetime,
        actor: str,
        channel: str,
        relation: str = "self",
        nationality: str | None = None,
    ) -> Resident:
        """Register a person; raises ``DuplicateDocument`` if the document is already known."""
        with self._db.transaction():
            if len(self.keys.keys) > 1:  # a rotation under way: the index may be an old key's
                existing = self.resident_by_document(id_type, id_number)
                if existing is not None:
                    raise DuplicateDocument(existing)
            index, sealed = self.sealed_document(id_type, id_number)
            values = {
                "account_id": account_id,
                "name": name,
                "id_type": id_type,
                "id_index": index,
                "id_sealed": sealed,
                "birth_date": birth_date.isoformat(),
                "sex": sex,
                "phone": phone,
                "district_id": district_id,
                "relation": relation,
                "nationality": nationality,
                "created_at": stamp(now),
            }
            try:
                resident_id, code = self._codes.insert(
                    self._db, "residents", "prereg_code", "R", values
                )
            except UniqueViolation as exc:  # the UNIQUE (id_type, id_number) constraint
                existing = self.resident_by_document(id_type, id_number)
                if existing is None:
                    raise
                raise DuplicateDocument(existing) from exc
            self._audit.record(now, actor, channel, "register", "resident", resident_id, None, {
                "account_id": account_id, "district_id": district_id,
            })  # fmt: skip
        return Resident(
            id=resident_id,
            account_id=account_id,
            prereg_code=code,
            name=name,
            id_type=id_type,
            id_number=id_number,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            district_id=district_id,
            noshows=0,
            barred=False,
            relation=relation,
            nationality=nationality,
        )

    def unbar(self, resident_id: int, *, now: datetime, actor: str, channel: str) -> None:
        """Lift a no-show bar (the count starts again from zero)."""
        with self._db.transaction():
            row = self._db.one(
                "SELECT noshows, barred FROM residents WHERE id = :id", {"id": resident_id}
            )
            if row is None:
                raise StoreError(f"no resident {resident_id}")
            self._db.execute(
                "UPDATE residents SET noshows = 0, barred = 0 WHERE id = :id", {"id": resident_id}
            )
            self._audit.record(now, actor, channel, "unbar", "resident", resident_id,
                               {"barred": bool(row[1]), "noshows": row[0]},
                               {"barred": False, "noshows": 0})  # fmt: skip

    # -- doses and screenings ----------------------------------------------------------------

    def doses_of(self, resident_id: int) -> list[Dose]:
        """The doses a person has received, in order."""
        rows = self._db.all(
            "SELECT resident_id, dose, day, product_id, site_id, source FROM doses "
            "WHERE resident_id = :id ORDER BY dose",
            {"id": resident_id},
        )
        return [Dose(r[0], r[1], date.fromisoformat(r[2]), r[3], r[4], r[5]) for r in rows]

    def add_dose(self, dose: Dose, now: datetime, actor: str, channel: str) -> None:
        """Record a dose; ``DoseExists`` if that dose number is already on record."""
        try:
            with self._db.transaction():
                self._db.execute(
                    "INSERT INTO doses (resident_id, dose, day, product_id, site_id, source) "
                    "VALUES (:resident, :dose, :day, :product, :site, :source)",
                    {"resident": dose.resident_id, "dose": dose.dose, "day": dose.day.isoformat(),
                     "product": dose.product_id, "site": dose.site_id, "source": dose.source},
                )  # fmt: skip
                self._audit.record(now, actor, channel, "dose", "resident", dose.resident_id,
                                   None, {"dose": dose.dose, "day": dose.day.isoformat(),
                                          "product_id": dose.product_id, "site_id": dose.site_id,
                                          "source": dose.source})  # fmt: skip
        except UniqueViolation as exc:
            if exc.on("doses", "resident_id", "dose"):
                raise DoseExists(dose.dose) from None
            raise

    def add_screening(self, screening: Screening) -> None:
        self._db.execute(
            "INSERT INTO screenings (resident_id, at, version, dose, answers, outcome, reason) "
            "VALUES (:resident, :at, :version, :dose, :answers, :outcome, :reason)",
            {"resident": screening.resident_id, "at": screening.at, "version": screening.version,
             "dose": screening.dose,
             "answers": self.keys.seal(compact_json(screening.answers),
                                       f"screenings.answers:{screening.resident_id}"),
             "outcome": screening.outcome, "reason": screening.reason},
        )  # fmt: skip

    def screened_before(self, resident_id: int, dose: int) -> bool:
        """Whether the person passed a screening here (eligible, or eligible with an assessment)
        for a dose before ``dose``: then every question was asked and answered "no"."""
        row = self._db.one(
            "SELECT 1 FROM screenings WHERE resident_id = :id AND dose < :dose "
            "AND outcome IN ('eligible', 'assess') LIMIT 1",
            {"id": resident_id, "dose": dose},
        )
        return row is not None

    def latest_screening(self, resident_id: int) -> Screening | None:
        row = self._db.one(
            "SELECT resident_id, at, version, dose, answers, outcome, reason FROM screenings "
            "WHERE resident_id = :id ORDER BY id DESC LIMIT 1",
            {"id": resident_id},
        )
        if row is None:
            return None
        text = self.keys.open(row[4], f"screenings.answers:{row[0]}")
        answers = json.loads(text) if text else {}  # '': purged after the appointment
        return Screening(row[0], row[1], row[2], row[3], answers, row[5], row[6])
