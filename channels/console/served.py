"""``vaxbot console --serve``: the console in operators' browsers, through textual-serve.

textual-serve starts one console process per browser session (a fresh login screen each time)
and relays its screen over a WebSocket. The process is this fixed command — the operator can
only log in and use the console: no shell, no file, no other command, and the database stays
on the server. Put it behind the hotline's HTTPS reverse proxy (docs/console.md).
"""

from __future__ import annotations

import shlex
import sys

from textual_serve.server import Server


def console_command(db: str, config: str | None, lang: str, lock_after: float) -> str:
    """The command each browser session runs: the console, no operator given (login first)."""
    parts = [sys.executable, "-m", "channels.cli", "console", "--db", db, "--lang", lang,
             "--lock-after", str(lock_after)]  # fmt: skip
    if config:
        parts += ["--config", config]
    return shlex.join(parts)


def serve_console(db: str, config: str | None, lang: str, lock_after: float, host: str,
                  port: int) -> None:  # fmt: skip
    """Serve until interrupted."""
    server = Server(console_command(db, config, lang, lock_after), host=host, port=port,
                    title="vaxbot console")  # fmt: skip
    server.serve()
