"""The store: what the flows, the bot and the channels ask of the database, in one object.

``Store`` is a facade. Each method is a repository's (``store/conversations.py``, ``people.py``,
``places.py``, ``bookings.py``, ``offers.py``, ``outbox.py``, ``casework.py``, ``operators.py``,
``audit.py``), each written against the narrow ``Db`` interface (``store/db.py``); the backend
behind it is chosen by ``open_store`` from the ``--db`` value. Writes that must be atomic run in
``transaction()``: nested calls become savepoints of the enclosing transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from store.arrivals import Arrivals
from store.audit import Audit
from store.bookings import Bookings
from store.casework import Casework
from store.conversations import Conversations
from store.crypto import DataKeyError, Keyring
from store.db import Db
from store.keys import key_file_beside, load_keyring, on_stderr
from store.migrations import migrate
from store.offers import Offers
from store.operators import Operators
from store.outbox import Outbox
from store.people import People
from store.places import Places
from store.routes import Routes
from store.rows import CODE_ALPHABET, Codes, new_code
from store.safeguards import Safeguards
from store.sending import Sending
from store.servers import Servers

__all__ = [
    "CODE_ALPHABET",
    "DatabaseUnavailable",
    "Store",
    "backend_of",
    "masked",
    "new_code",
    "open_store",
]

P = ParamSpec("P")
R = TypeVar("R")


class _Via(Generic[P, R]):
    """A method of the facade that is a repository's: ``book = _Via("bookings",
    Bookings.book)``. Typed as the repository's method; ``Store.__init__`` binds each one to
    the instance, so a call costs no more than calling the repository."""

    def __init__(self, repository: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self.repository = repository
        self.name = method.__name__
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> _Via[P, R]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> Callable[P, R]: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return getattr(getattr(instance, self.repository), self.name)


class DatabaseUnavailable(Exception):
    """The database named by a ``--db`` value cannot be opened (the server does not answer,
    refuses the login, or has no such database). The message names it without its password."""


def masked(url: str | Path) -> str:
    """A ``--db`` value fit for a message or a log: a URL's password replaced by ``***``."""
    # Up to the last "@": a password written with an "@" of its own is hidden whole.
    return re.sub(r"^(\w+://[^:/@]*):.*@", r"\1:***@", str(url))


def backend_of(url: str | Path) -> str:
    """Which backend a ``--db`` value names: "postgresql" for a ``postgresql://`` (or
    ``postgres://``) URL, else "sqlite" (a file path)."""
    return "postgresql" if str(url).startswith(("postgresql://", "postgres://")) else "sqlite"


def open_store(url: str | Path, keys: Keyring | None = None, connections: int = 4) -> Store:
    """The store at ``url``, the ``--db`` value: a SQLite file path (created and migrated as
    needed; ":memory:" for a database that lives as long as the store), or a PostgreSQL URL
    (PostgreSQL: migrated as needed too; ``DatabaseUnavailable`` if it cannot be reached).

    ``keys``: the data key; by default found as DESIGN.md §3 says (store/keys.py). A missing
    key, or one that does not open what the database holds, is ``DatabaseUnavailable``.

    The store may be used from several threads at once: each thread has a connection of its
    own while it works (SQLite: transactions take turns on one, statements outside them have
    one per thread; PostgreSQL: borrowed from a pool of up to ``connections``)."""
    db: Db
    made: list[str] = []  # the key file made beside the database for this opening, if any

    def announce(said: str) -> None:
        made.append(said)
        on_stderr(said)

    try:
        keys = keys or load_keyring(url, backend_of(url), announce)
    except DataKeyError as exc:
        raise DatabaseUnavailable(f"{masked(url)}: {exc}") from None
    if backend_of(url) == "postgresql":
        from store.postgres import PostgresDb  # the backend named by the URL, and only it

        db = PostgresDb.open(str(url), masked(url), connections)
    else:
        from store.sqlite import SqliteDb

        db = SqliteDb.open(str(url))
    try:
        migrate(db, keys)
        _check_key(db, keys)
    except DataKeyError as exc:
        db.close()
        reason = str(exc)
        if made:  # a database copied without its key: take the wrong new key away again
            key_file_beside(url).unlink(missing_ok=True)
            reason = (
                f"its data key is not beside it: copy the key file that came with it to "
                f"{key_file_beside(url)} (the new key just made there is removed), or set "
                "VAXBOT_DATA_KEY_FILE"
            )
        raise DatabaseUnavailable(f"{masked(url)}: {reason}") from None
    except BaseException:
        db.close()
        raise
    return Store(db, keys)


def _check_key(db: Db, keys: Keyring) -> None:
    """Raise ``DataKeyError`` if the data key does not open what the database holds."""
    row = db.one("SELECT id_sealed, id_index FROM residents WHERE id_sealed IS NOT NULL LIMIT 1")
    if row is not None:
        keys.open(str(row[0]), f"residents.id_number:{row[1]}")


class Store:
    def __init__(self, db: Db, keys: Keyring | None = None) -> None:
        self.db = db
        self.keys = keys or Keyring.ephemeral()
        self._codes = Codes()
        self.audits = Audit(db)
        self.conversations = Conversations(db, self.keys)
        self.arrivals = Arrivals(db, self.keys)
        self.servers = Servers(db)
        self.sending = Sending(db)
        self.places = Places(db)
        self.people = People(db, self.audits, self._codes, self.keys)
        self.outbox = Outbox(db, self.keys)
        self.offers = Offers(db, self.audits, self._codes, self.outbox)
        self.bookings = Bookings(db, self.audits, self._codes, self.people, self.offers)
        self.casework = Casework(db, self.audits)
        self.routes = Routes(db, self.keys)
        self.safeguards = Safeguards(db, self.keys, self.audits)
        self.operators = Operators(db, self.audits, self.keys)
        for name, attribute in vars(Store).items():
            if isinstance(attribute, _Via):
                setattr(self, name, attribute.__get__(self, Store))

    @classmethod
    def open(cls, url: str | Path, keys: Keyring | None = None, connections: int = 4) -> Store:
        """Open (creating and migrating as needed) the database at ``url``: see ``open_store``."""
        return open_store(url, keys, connections)

    @property
    def new_code(self) -> Callable[[str], str]:
        """Where booking and pre-registration codes come from (replaceable: tests draw
        reproducible ones)."""
        return self._codes.draw

    @new_code.setter
    def new_code(self, draw: Callable[[str], str]) -> None:
        self._codes.draw = draw

    def close(self) -> None:
        self.db.close()

    def ping(self) -> None:
        """Raise if the database cannot answer (for readiness checks)."""
        self.db.one("SELECT 1")

    def write_probe(self, now: datetime) -> None:
        """Raise if the database cannot take a write now (for health checks: on a full disk
        every turn fails, while reads still work)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO health (id, checked_at) VALUES (1, :at) "
                "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                {"at": now.isoformat(timespec="seconds")},
            )

    def transaction(self) -> AbstractContextManager[None]:
        """One atomic unit; nested calls become savepoints of the enclosing transaction."""
        return self.db.transaction()

    def bulk(self, cache_mb: int = 128) -> AbstractContextManager[None]:
        """A context for a batch (``vaxbot assign``) that reads and writes a large share of the
        database (SQLite: a larger page cache while it runs)."""
        return self.db.bulk(cache_mb)

    # -- conversations -----------------------------------------------------------------------
    lock_conversation = _Via("conversations", Conversations.lock)
    load_state = _Via("conversations", Conversations.load_state)
    state_text = _Via("conversations", Conversations.state_text)
    state_updated_at = _Via("conversations", Conversations.state_updated_at)
    save_state = _Via("conversations", Conversations.save_state)
    turn_start = _Via("conversations", Conversations.turn_start)
    record_inbound = _Via("conversations", Conversations.record_inbound)
    language_of = _Via("conversations", Conversations.language_of)
    record_miss = _Via("conversations", Conversations.record_miss)
    misses = _Via("conversations", Conversations.misses)

    # -- arrivals and the rate limit (the inbound path) --------------------------------------
    arrive = _Via("arrivals", Arrivals.arrive)
    leave_line = _Via("arrivals", Arrivals.leave)
    waiting_in_line = _Via("arrivals", Arrivals.waiting)
    sender_count = _Via("arrivals", Arrivals.sender_count)
    take_rate_windows = _Via("arrivals", Arrivals.take_rate_windows)
    give_rate_windows = _Via("arrivals", Arrivals.give_rate_windows)
    purge_arrivals = _Via("arrivals", Arrivals.purge)

    # -- the serve processes on the database -------------------------------------------------
    server_join = _Via("servers", Servers.join)
    server_beat = _Via("servers", Servers.beat)
    server_unaware = _Via("servers", Servers.unaware)
    server_leave = _Via("servers", Servers.leave)

    # -- people ------------------------------------------------------------------------------
    account_phone = _Via("people", People.account_phone)
    account_by_phone = _Via("people", People.account_by_phone)
    account_created_at = _Via("people", People.account_created_at)
    account_count = _Via("people", People.account_count)
    link_address = _Via("people", People.link_address)
    account_of = _Via("people", People.account_of)
    account_for = _Via("people", People.account_for)
    residents_of = _Via("people", People.residents_of)
    resident = _Via("people", People.resident)
    resident_by_prereg_code = _Via("people", People.resident_by_prereg_code)
    resident_by_document = _Via("people", People.resident_by_document)
    document_indexes = _Via("people", People.document_indexes)
    sealed_document = _Via("people", People.sealed_document)
    residents_with_phone = _Via("people", People.residents_with_phone)
    residents_with_document = _Via("people", People.residents_with_document)
    residents_named = _Via("people", People.residents_named)
    residents_containing = _Via("people", People.residents_containing)
    all_residents = _Via("people", People.all_residents)
    awaiting_next_dose = _Via("people", People.awaiting_next_dose)
    add_resident = _Via("people", People.add_resident)
    unbar = _Via("people", People.unbar)
    doses_of = _Via("people", People.doses_of)
    add_dose = _Via("people", People.add_dose)
    add_screening = _Via("people", People.add_screening)
    latest_screening = _Via("people", People.latest_screening)
    screened_before = _Via("people", People.screened_before)

    # -- places ------------------------------------------------------------------------------
    sync_districts = _Via("places", Places.sync_districts)
    sync_products = _Via("places", Places.sync_products)
    districts = _Via("places", Places.districts)
    add_site = _Via("places", Places.add_site)
    update_site = _Via("places", Places.update_site)
    site_ids = _Via("places", Places.site_ids)
    site = _Via("places", Places.site)
    site_named = _Via("places", Places.site_named)
    sites = _Via("places", Places.sites)
    sites_stocking = _Via("places", Places.sites_stocking)
    add_slots = _Via("places", Places.add_slots)
    slot = _Via("places", Places.slot)
    slot_at = _Via("places", Places.slot_at)
    slots = _Via("places", Places.slots)
    release_due = _Via("places", Places.release_due)
    sites_with_places = _Via("places", Places.sites_with_places)
    open_days = _Via("places", Places.open_days)
    open_slots = _Via("places", Places.open_slots)
    assignable_places = _Via("places", Places.assignable_places)
    capacity_by_site = _Via("places", Places.capacity_by_site)

    # -- bookings ----------------------------------------------------------------------------
    booking = _Via("bookings", Bookings.booking)
    booking_by_code = _Via("bookings", Bookings.booking_by_code)
    active_bookings = _Via("bookings", Bookings.active_bookings)
    bookings_of = _Via("bookings", Bookings.bookings_of)
    bookings_on = _Via("bookings", Bookings.bookings_on)
    booking_rows = _Via("bookings", Bookings.booking_rows)
    count_on = _Via("bookings", Bookings.count_on)
    noshow_count = _Via("bookings", Bookings.noshow_count)
    book = _Via("bookings", Bookings.book)
    cancel = _Via("bookings", Bookings.cancel)
    reschedule = _Via("bookings", Bookings.reschedule)
    attend = _Via("bookings", Bookings.attend)
    mark_noshows = _Via("bookings", Bookings.mark_noshows)
    mark_noshow = _Via("bookings", Bookings.mark_noshow)

    # -- the queue and its offers ------------------------------------------------------------
    join_queue = _Via("offers", Offers.join_queue)
    queue_place = _Via("offers", Offers.queue_place)
    waiting_count = _Via("offers", Offers.waiting_count)
    queue_rows = _Via("offers", Offers.queue_rows)
    waiting_candidates = _Via("offers", Offers.waiting_candidates)
    open_offers = _Via("offers", Offers.open_offers)
    offer = _Via("offers", Offers.offer)
    offer_rows = _Via("offers", Offers.offer_rows)
    accept_offer = _Via("offers", Offers.accept_offer)
    decline_offer = _Via("offers", Offers.decline_offer)
    expire_offers = _Via("offers", Offers.expire_offers)
    create_offers = _Via("offers", Offers.create_offers)

    # -- outbox ------------------------------------------------------------------------------
    enqueue = _Via("outbox", Outbox.enqueue)
    outbox_backlog = _Via("outbox", Outbox.backlog)
    claim_due = _Via("outbox", Outbox.claim_due)
    mark_sent = _Via("outbox", Outbox.mark_sent)
    mark_retry = _Via("outbox", Outbox.mark_retry)
    mark_failed = _Via("outbox", Outbox.mark_failed)
    delivery_status = _Via("outbox", Outbox.delivery_status)
    outbox_rows = _Via("outbox", Outbox.outbox_rows)
    outbox_row = _Via("outbox", Outbox.outbox_row)
    set_opt_out = _Via("outbox", Outbox.set_opt_out)
    opted_out = _Via("outbox", Outbox.opted_out)

    # -- where notices go ----------------------------------------------------------------------
    notice_routes = _Via("routes", Routes.notice_routes)
    notify_channel = _Via("routes", Routes.notify_channel)
    set_notify_channel = _Via("routes", Routes.set_notify_channel)
    account_channels = _Via("routes", Routes.account_channels)
    outbox_params = _Via("routes", Routes.outbox_params)

    # -- sends in flight (gateways without idempotency keys) ---------------------------------
    sending_begins = _Via("sending", Sending.begin)
    sending_since = _Via("sending", Sending.since)
    sending_ends = _Via("sending", Sending.end)
    provider_id_taken = _Via("sending", Sending.provider_id_taken)

    # -- operator accounts (the console's logins) -------------------------------------------
    operator = _Via("operators", Operators.operator)
    operator_list = _Via("operators", Operators.operators)
    add_operator = _Via("operators", Operators.add_operator)
    update_operator = _Via("operators", Operators.update_operator)
    login_failures = _Via("operators", Operators.login_failures)
    record_login = _Via("operators", Operators.record_login)

    # -- casework ----------------------------------------------------------------------------
    add_callback = _Via("casework", Casework.add_callback)
    close_callback = _Via("casework", Casework.close_callback)
    open_callbacks = _Via("casework", Casework.open_callbacks)
    callback = _Via("casework", Casework.callback)
    callback_count = _Via("casework", Casework.callback_count)
    contact = _Via("casework", Casework.contact)
    add_followup = _Via("casework", Casework.add_followup)
    open_followups = _Via("casework", Casework.open_followups)
    followup = _Via("casework", Casework.followup)
    followups = _Via("casework", Casework.followups)
    followup_count = _Via("casework", Casework.followup_count)
    record_followup = _Via("casework", Casework.record_followup)
    job_done = _Via("casework", Casework.job_done)
    claim_job = _Via("casework", Casework.claim_job)
    finish_job = _Via("casework", Casework.finish_job)
    release_job = _Via("casework", Casework.release_job)
    job_runs = _Via("casework", Casework.job_runs)
    last_job_key = _Via("casework", Casework.last_job_key)

    # -- safeguards: link codes, ID numbers tried, unlinking, consents ----------------------
    issue_link_code = _Via("safeguards", Safeguards.issue_link_code)
    check_link_code = _Via("safeguards", Safeguards.check_link_code)
    unlink_others = _Via("safeguards", Safeguards.unlink_others)
    note_id_attempt = _Via("safeguards", Safeguards.note_id_attempt)
    id_registered = _Via("safeguards", Safeguards.id_registered)
    record_consents = _Via("safeguards", Safeguards.record_consents)
    consents_of = _Via("safeguards", Safeguards.consents_of)

    # -- audit -------------------------------------------------------------------------------
    audit = _Via("audits", Audit.record)
    audit_rows = _Via("audits", Audit.rows)
    audit_verify = _Via("audits", Audit.verify)
    chain_unchained = _Via("audits", Audit.chain_unchained)
    history = _Via("audits", Audit.history)
