"""Files that go with a confirmation: an iCalendar event and a QR code of the booking code."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from flows.dialogue import Attachment
from flows.places import site_address, site_name
from flows.policy import Policy
from flows.texts import Lang, text
from store import Booking


def calendar(booking: Booking, name: str, lang: Lang, policy: Policy, now: datetime) -> Attachment:
    """The appointment as an .ics event (with a reminder the day before)."""
    return Attachment(
        f"{booking.code}.ics", "text/calendar", lambda: _ics(booking, name, lang, policy, now)
    )


def _ics(booking: Booking, name: str, lang: Lang, policy: Policy, now: datetime) -> bytes:
    import icalendar  # imported when a channel first asks for a calendar file

    slot, site, zone = booking.slot, booking.site, policy.zone
    start = datetime.combine(slot.day, datetime.strptime(slot.start, "%H:%M").time(), zone)
    end = datetime.combine(slot.day, datetime.strptime(slot.end, "%H:%M").time(), zone)
    summary = text(lang, "ics.summary", dose=booking.dose, name=name)
    minutes = policy.booking.observation_minutes
    note = text(lang, "ics.note", code=booking.code, minutes=minutes)
    event = icalendar.Event()
    event.add("uid", f"{booking.code}@vaxbot")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", f"{site_name(lang, site)}, {site_address(lang, site)}")
    event.add("description", note)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//vaxbot//booking//")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add_component(event)
    ics: bytes = cal.to_ical()
    return ics


def qr_code(code: str) -> Attachment:
    """The booking code as a QR code (PNG), for the site's scanner."""
    return Attachment(f"{code}.png", "image/png", lambda: _png(code))


def _png(code: str) -> bytes:
    import segno  # imported when a channel first asks for a QR code

    image = io.BytesIO()
    segno.make(code, error="m").save(image, kind="png", scale=8, border=4)
    return image.getvalue()
