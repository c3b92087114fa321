"""``vaxbot console --serve`` in a real headless browser (Debian's chromium, driven by
Playwright's own client: no browser is downloaded, ``executable_path`` is the system's).

One server and one browser for the module. What the browser shows is read from the terminal
stream textual-serve sends it over the WebSocket (xterm.js draws on a canvas); what the
operator did is checked in the database: the login, the booking on behalf and the idle lock,
each attributed to the operator who logged in in the browser.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocket, sync_playwright

from store import Store
from tests.conftest import NOW, OPERATOR_PASSWORD, Clock, operator_login
from tests.test_console import ADULT_ID, CALLER, person

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
LOCK_AFTER = 4.0  # seconds: the served consoles lock after this long without a key

if not os.path.exists(CHROMIUM):  # pragma: no cover - .ci/run installs it
    if os.environ.get("CI") == "true":
        raise RuntimeError("chromium is missing: .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory,
           policy: object) -> Iterator[tuple[str, Path]]:  # fmt: skip
    """A copy of the demo database with operator "wang" and a registered caller, served."""
    db = tmp_path_factory.mktemp("served") / "vaxbot.db"
    shutil.copyfile(seeded_template, db)
    store = Store.open(db)
    operator_login(store, "wang", "operator")
    person(store, Clock(policy, NOW), "张三", ADULT_ID)  # type: ignore[arg-type]
    store.close()
    port = _free_port()
    env = {**os.environ, "VAXBOT_NOW": NOW}
    server = subprocess.Popen(
        [sys.executable, "-m", "channels.cli", "console", "--serve", "--db", str(db), "--lang",
         "en", "--lock-after", str(LOCK_AFTER), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", db
    finally:
        server.terminate()
        server.wait(10)


class Screen:
    """What the browser's terminal has been sent, as text (escape sequences dropped)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.frames: list[bytes] = []
        page.on("websocket", self._watch)

    def _watch(self, ws: WebSocket) -> None:
        ws.on("framereceived", lambda frame: self.frames.append(
            frame if isinstance(frame, bytes) else frame.encode()))  # fmt: skip

    def text(self, since: int = 0) -> str:
        raw = b"".join(self.frames[since:]).decode("utf-8", "replace")
        return re.sub(r"\x1b\[[0-9;?<>]*[ -/]*[@-~]", "", raw)

    def wait_for(self, text: str, since: int = 0, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text(since):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not shown; last: {self.text(since)[-400:]!r}")
            self.page.wait_for_timeout(50)

    def settle(self, quiet: float = 0.4) -> None:
        """Wait until the console has drawn what the last key asked for."""
        count, still = len(self.frames), time.monotonic()
        while time.monotonic() - still < quiet:
            self.page.wait_for_timeout(50)
            if len(self.frames) != count:
                count, still = len(self.frames), time.monotonic()

    def enter(self, text: str, echo: str | None = None) -> None:
        """Type ``text`` and Enter; with ``echo``, wait until the console shows it (the chat
        echoes what it was sent as ``> text``)."""
        mark = len(self.frames)
        self.page.keyboard.type(text)
        self.settle(0.2)
        self.page.keyboard.press("Enter")
        if echo is not None:
            self.wait_for(echo, mark)
        self.settle()


@pytest.fixture(scope="module")
def browser_page(served: tuple[str, Path]) -> Iterator[Screen]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        screen = Screen(page)
        page.goto(served[0])
        yield screen
        browser.close()


def test_login_book_on_behalf_and_idle_lock(served: tuple[str, Path], browser_page: Screen) -> None:
    screen, db = browser_page, served[1]
    screen.wait_for("Vaccination hotline: log in")
    screen.page.focus(".xterm-helper-textarea")  # keys to the terminal, no click on a widget
    screen.enter("wang")
    mark = len(screen.frames)
    screen.enter("not the password")
    screen.wait_for("unknown operator or wrong password", mark)
    mark = len(screen.frames)
    screen.enter(OPERATOR_PASSWORD)
    screen.wait_for("Operator wang logged in", mark)
    # a registered caller booked in 8 entries: phone, Ctrl+B, then the caller's answers
    screen.enter("13800138000")
    screen.page.keyboard.press("Control+b")
    screen.settle()
    screen.wait_for("> book")
    for answer in ("none", "1", "1", "1", "1"):
        screen.enter(answer, f"> {answer}")
    mark = len(screen.frames)
    screen.enter("1")
    screen.wait_for("Booked!", mark)
    # left alone, it locks; only wang's password opens it again
    mark = len(screen.frames)
    screen.wait_for("Locked (wang)", mark, timeout=LOCK_AFTER + 20)
    store = Store.open(db)
    try:
        (booking,) = store.booking_rows()
        assert (booking["actor"], booking["channel"]) == ("operator:wang", "operator")
        resident = store.resident(booking["resident_id"])
        assert resident is not None and resident.phone == CALLER
        actions = [(r["action"], r["channel"]) for r in store.audit_rows(actor="operator:wang")]
        assert actions[:2] == [("login-failed", "console"), ("login", "console")]
        assert ("lock", "console") in actions
    finally:
        store.close()
