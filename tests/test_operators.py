"""Operator accounts: ``vaxbot operators``, logins (argon2, TOTP, rate limit, audit), the
console's login screen and idle lock, and the commands that act as an operator."""

from __future__ import annotations

import asyncio
import io
import time

import pyotp
import pytest
from textual.widgets import Input, Label

from bot.operators import MAX_FAILURES, LoginRefused, login
from channels.cli import main
from channels.console.app import ConsoleApp
from channels.console.caller import CallerScreen
from channels.console.login import LoginScreen
from flows.policy import Policy
from store import Store
from tests.conftest import NOW, Clock
from tests.test_console import synchronous, type_in

BACKENDS = ("sqlite", "postgresql")
PASSWORD = "long enough 1"


def run(db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        *args: str, stdin: str = "") -> tuple[int, str, str]:  # fmt: skip
    monkeypatch.setenv("VAXBOT_NOW", NOW)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    try:
        status = main([*args, "--db", db])
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_operators_add_list_passwd_disable(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    clock: Clock,
) -> None:  # fmt: skip
    added = run(db_url, monkeypatch, capsys, "operators", "add", "王芳", "--role", "operator",
                "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added[:2] == (0, "added 王芳 (operator)\n")
    status, _, err = run(db_url, monkeypatch, capsys, "operators", "add", "王芳", "--role",
                         "operator", "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert (status, err) == (1, "vaxbot operators add: an operator named 王芳 exists already\n")
    status, _, err = run(db_url, monkeypatch, capsys, "operators", "add", "李", "--role",
                         "operator", "--password-stdin", stdin="short\n")  # fmt: skip
    assert status == 2 and "at least 8 characters" in err
    status, out, _ = run(db_url, monkeypatch, capsys, "operators", "list")
    assert status == 0 and out.startswith("王芳\toperator\tactive")
    stored = store.operator("王芳")
    assert stored is not None and PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith("$argon2")
    assert login(store, "王芳", PASSWORD, clock(), "cli").role == "operator"
    run(db_url, monkeypatch, capsys, "operators", "passwd", "王芳", "--password-stdin",
        stdin="another one 2\n")  # fmt: skip
    with pytest.raises(LoginRefused):
        login(store, "王芳", PASSWORD, clock(), "cli")
    run(db_url, monkeypatch, capsys, "operators", "disable", "王芳")
    with pytest.raises(LoginRefused):
        login(store, "王芳", "another one 2", clock(), "cli")
    actions = [r["action"] for r in store.audit_rows() if r["entity"] == "operator"]
    assert actions == ["add", "login", "passwd", "login-failed", "disable", "login-failed"]
    assert all("argon2" not in (r["after"] or "") for r in store.audit_rows())


@pytest.mark.parametrize("who", ["nobody", "wrong password"])
def test_console_refuses_before_it_opens(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], who: str,
) -> None:  # fmt: skip
    run(db_url, monkeypatch, capsys, "operators", "add", "王芳", "--role", "operator",
        "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    name, password = ("张三", PASSWORD) if who == "nobody" else ("王芳", "not it at all")
    status, out, err = run(db_url, monkeypatch, capsys, "console", "--operator", name,
                           "--password-stdin", stdin=password + "\n")  # fmt: skip
    assert (status, out) == (2, "")
    assert err == "vaxbot console: unknown operator or wrong password\n"
    (failed,) = store.audit_rows(action="login-failed")
    assert (failed["actor"], failed["channel"]) == (f"operator:{name}", "console")


def test_failed_logins_are_rate_limited(store: Store, policy: Policy, clock: Clock) -> None:
    from tests.conftest import operator_login

    password = operator_login(store, "王芳", "operator")
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused, match="wrong password"):
            login(store, "王芳", "guess guess", clock(), "console")
    with pytest.raises(LoginRefused, match="too many failed logins"):
        login(store, "王芳", password, clock(), "console")  # even the right one, for a while
    clock.set("2021-06-17T09:16:00+08:00")
    assert login(store, "王芳", password, clock(), "console").name == "王芳"
    assert len(store.audit_rows(action="login-failed")) == MAX_FAILURES + 1


def test_a_supervisor_with_totp_needs_the_code(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    clock: Clock,
) -> None:  # fmt: skip
    status, out, _ = run(db_url, monkeypatch, capsys, "operators", "add", "李主任", "--role",
                         "supervisor", "--totp", "--password-stdin",
                         stdin=PASSWORD + "\n")  # fmt: skip
    assert status == 0
    secret = out.split("secret=")[1].split("&")[0]
    with pytest.raises(LoginRefused, match="second factor"):
        login(store, "李主任", PASSWORD, clock(), "console")
    with pytest.raises(LoginRefused):
        login(store, "李主任", PASSWORD, clock(), "console", "000000")
    code = pyotp.TOTP(secret).at(clock())
    assert login(store, "李主任", PASSWORD, clock(), "console", code).supervisor


def test_commands_act_as_a_logged_in_operator(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from tests.conftest import operator_login

    password = operator_login(store, "王芳", "operator")
    status, _, err = run(db_url, monkeypatch, capsys, "attendance", "mark", "B0000001",
                         "--operator", "王芳", "--password-stdin",
                         stdin="wrong wrong\n")  # fmt: skip
    assert (status, err) == (2, "vaxbot attendance mark: unknown operator or wrong password\n")
    status, _, err = run(db_url, monkeypatch, capsys, "attendance", "mark", "B0000001",
                         "--operator", "王芳")  # fmt: skip
    assert status == 2 and "--password-stdin" in err
    status, _, err = run(db_url, monkeypatch, capsys, "followup", "list", "--reveal")
    assert status == 2 and "supervisor" in err
    status, _, err = run(db_url, monkeypatch, capsys, "followup", "list", "--reveal",
                         "--operator", "王芳", "--password-stdin",
                         stdin=password + "\n")  # fmt: skip
    assert (status, err) == (2, "vaxbot followup: 王芳 is not a supervisor\n")
    assert store.audit_rows(action="reveal") == []


# -- the console's login screen and idle lock ------------------------------------------------


@synchronous
async def test_the_console_opens_on_the_login_screen(
    store: Store, policy: Policy, clock: Clock
) -> None:
    from tests.conftest import operator_login

    password = operator_login(store, "王芳", "operator")
    app = ConsoleApp(store, policy, clock, None, "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("f1", "f4")  # nothing opens before a login
        assert isinstance(app.screen, LoginScreen)
        await type_in(pilot, "王芳")
        await type_in(pilot, "not my password")
        error = app.screen.query_one("#login-error", Label)
        assert "unknown operator or wrong password" in str(error.render())
        await type_in(pilot, password)
        await pilot.pause()
        assert isinstance(app.screen, CallerScreen)
        assert app.sub_title == "Operator 王芳 logged in"
    rows = [(r["action"], r["channel"]) for r in store.audit_rows(actor="operator:王芳")]
    assert rows == [("login-failed", "console"), ("login", "console")]


@synchronous
async def test_the_console_locks_when_idle(store: Store, policy: Policy, clock: Clock) -> None:
    from tests.conftest import operator_login

    password = operator_login(store, "王芳", "operator")
    session = login(store, "王芳", password, clock(), "console")
    app = ConsoleApp(store, policy, clock, session, "zh", idle_lock=30, idle_check=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.last_input = time.monotonic()
        assert isinstance(app.screen, CallerScreen)
        app.last_input -= 30  # as if nobody had touched it for half a minute
        for _ in range(20):
            await asyncio.sleep(0.1)
            if app.locked:
                break
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.locked
        assert app.screen.query_one("#login-name", Input).value == "王芳"
        await pilot.press("f2")
        assert isinstance(app.screen, LoginScreen)  # nothing behind it until unlocked
        await type_in(pilot, password)
        await pilot.pause()
        assert isinstance(app.screen, CallerScreen) and not app.locked
