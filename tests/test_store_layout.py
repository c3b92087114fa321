"""The store's shape: small modules by aggregate, and one facade that offers every repository
method (so that callers, flows included, need only ``Store``)."""

from __future__ import annotations

import inspect
from pathlib import Path

from store import Store
from store.arrivals import Arrivals
from store.audit import Audit
from store.bookings import Bookings
from store.casework import Casework
from store.conversations import Conversations
from store.offers import Offers
from store.operators import Operators
from store.outbox import Outbox
from store.people import People
from store.places import Places
from store.routes import Routes
from store.safeguards import Safeguards
from store.sending import Sending
from store.servers import Servers
from store.store import _Via

STORE = Path(__file__).resolve().parents[1] / "store"
REPOSITORIES = {
    "arrivals": Arrivals,
    "audits": Audit,
    "bookings": Bookings,
    "casework": Casework,
    "conversations": Conversations,
    "offers": Offers,
    "operators": Operators,
    "outbox": Outbox,
    "people": People,
    "places": Places,
    "routes": Routes,
    "safeguards": Safeguards,
    "sending": Sending,
    "servers": Servers,
}
# Steps of another repository's operation, inside its transaction: not for callers.
INTERNAL = {("offers", "booked_otherwise"), ("outbox", "add_notices")}


def test_every_store_module_is_small() -> None:
    sizes = {path.name: len(path.read_text("utf-8").splitlines()) for path in STORE.glob("*.py")}
    assert {"store.py", "db.py", "sqlite.py", "bookings.py"} <= set(sizes)
    assert {name: n for name, n in sizes.items() if n >= 500} == {}


def test_the_facade_offers_every_public_repository_method() -> None:
    offered = {(via.repository, via.name) for via in vars(Store).values() if isinstance(via, _Via)}
    public = {
        (attribute, name)
        for attribute, repository in REPOSITORIES.items()
        for name, _ in inspect.getmembers(repository, inspect.isfunction)
        if not name.startswith("_")
    }
    assert public - offered == INTERNAL, "repository methods the facade does not offer"
    assert offered & INTERNAL == set(), "internal steps offered to callers"
    assert offered - public == set(), "facade methods naming no repository method"


def test_a_facade_method_is_the_repository_method_itself(store: Store) -> None:
    assert store.book == store.bookings.book
    assert store.audit == store.audits.record
    assert Store.book.__doc__ == Bookings.book.__doc__
