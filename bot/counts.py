"""The rate limit's counts kept in the process while it is alone on its database.

Every process taking messages on one database shares the per-sender rate limit through the
database (``rate_limits``, store/arrivals.py): each message costs a write transaction at the
door before its turn. A ``serve`` alone on its database (bot/peers.py) is every process there
is, so it keeps the same counts here instead, under a lock (the turn threads count), and the
door costs a dictionary lookup.

The counts move with the company: when another process joins, ``close`` hands them over and
they are added to the database's (``Store.merge_rate_windows``) before messages are counted
there; when the process is alone again, ``open`` takes the database's windows still running.
A message counted here after ``close`` is refused (``add`` gives None), and its door counts it
in the database instead, so no message is counted in neither place.
"""

from __future__ import annotations

import threading

# A sender's window: [the moment it began (µs), the messages counted in it]
Window = list[int]


class SenderCounts:
    """Messages per sender in windows of ``window_us`` (a window begins with the sender's
    first message after the previous one ended), as the database's ``rate_limits`` counts."""

    def __init__(self, window_us: int) -> None:
        self.window_us = window_us
        self._windows: dict[str, Window] = {}
        self._lock = threading.Lock()
        self._open = False

    @property
    def is_open(self) -> bool:
        return self._open

    def add(self, sender: str, now_us: int) -> int | None:
        """Count one message of ``sender``: their count in the current window, this one
        included; None if the counts are kept in the database now (``close``)."""
        with self._lock:
            if not self._open:
                return None
            window = self._windows.get(sender)
            if window is None or window[0] <= now_us - self.window_us:
                self._windows[sender] = [now_us, 1]
                return 1
            window[1] += 1
            return window[1]

    def take_back(self, sender: str) -> None:
        """Uncount the last message of ``sender`` (a provider's retry of a message answered
        before is not the sender's doing)."""
        with self._lock:
            window = self._windows.get(sender)
            if window is not None and window[1] > 0:
                window[1] -= 1

    def open(self, windows: list[tuple[str, int, int]]) -> None:
        """Keep the counts here from now on, starting from ``windows`` (sender, began, count):
        the database's windows still running."""
        with self._lock:
            self._windows = {sender: [began, count] for sender, began, count in windows}
            self._open = True

    def close(self, now_us: int) -> list[tuple[str, int, int]]:
        """Stop counting here; the windows still running, to be added to the database's."""
        with self._lock:
            self._open = False
            running = [
                (sender, window[0], window[1])
                for sender, window in self._windows.items()
                if window[0] > now_us - self.window_us and window[1] > 0
            ]
            self._windows = {}
        return running

    def forget_ended(self, now_us: int) -> int:
        """Forget the windows over by ``now_us``; how many were forgotten."""
        with self._lock:
            ended = [
                sender
                for sender, window in self._windows.items()
                if window[0] <= now_us - self.window_us
            ]
            for sender in ended:
                del self._windows[sender]
        return len(ended)
