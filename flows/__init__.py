"""Dialogue flows and the domain rules they follow."""

from flows.booking import BOOKING
from flows.changes import CANCEL, RESCHEDULE
from flows.dialogue import Flow
from flows.linking import LINK, UNLINK
from flows.notify import NOTIFY
from flows.offers import OFFER
from flows.registration import REGISTRATION
from flows.status import STATUS

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (BOOKING, CANCEL, RESCHEDULE, REGISTRATION, STATUS, LINK, UNLINK, OFFER, NOTIFY)
}

__all__ = ["FLOWS"]
