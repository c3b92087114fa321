"""Where the data key comes from (DESIGN.md §3).

1. ``VAXBOT_DATA_KEY``: the key itself (or several, newest first, separated by commas, while
   a rotation is under way);
2. ``VAXBOT_DATA_KEY_FILE``: a file holding it (one key per line, newest first);
3. neither, and a SQLite file: the key file beside the database (``vaxbot.db`` →
   ``vaxbot.db.key``), created mode 0600 by the first command, which says so;
4. neither, and PostgreSQL: a clear error (a server's data has no "beside").

A ``:memory:`` database gets a key that lives as long as the process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from store.crypto import DataKeyError, Keyring, new_key_text, parse_keys

ENV_KEY = "VAXBOT_DATA_KEY"
ENV_FILE = "VAXBOT_DATA_KEY_FILE"


def on_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def key_file_beside(db: str | Path) -> Path:
    return Path(f"{db}.key")


def key_source(url: str | Path, backend: str) -> Path | None:
    """The key file the keys of ``url`` are read from (None: from the environment, or none)."""
    if os.environ.get(ENV_KEY):
        return None
    if named := os.environ.get(ENV_FILE):
        return Path(named)
    if backend == "sqlite" and str(url) != ":memory:":
        return key_file_beside(url)
    return None


def read_key_file(path: Path) -> list[str]:
    try:
        keys = parse_keys(path.read_text())
    except OSError as exc:
        raise DataKeyError(f"cannot read the data key file {path}: {exc.strerror}") from None
    if not keys:
        raise DataKeyError(f"the data key file {path} holds no key")
    return keys


def write_key_file(path: Path, keys: list[str]) -> None:
    """Write ``keys`` (newest first) to ``path`` atomically, mode 0600."""
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# vaxbot data keys, newest first: keep this file, apart from the database\n")
        out.write("".join(f"{key}\n" for key in keys))
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def load_keyring(
    url: str | Path, backend: str, announce: Callable[[str], None] = on_stderr
) -> Keyring:
    """The keyring for the database at ``url`` (see the module's docstring)."""
    if text := os.environ.get(ENV_KEY):
        return Keyring(parse_keys(text))
    if os.environ.get(ENV_FILE):
        path = Path(os.environ[ENV_FILE])
        return Keyring(read_key_file(path), lambda: read_key_file(path))
    if backend != "sqlite":
        raise DataKeyError(
            f"PostgreSQL needs a data key: set {ENV_KEY} or {ENV_FILE} (docs/privacy.md)"
        )
    if str(url) == ":memory:":
        return Keyring.ephemeral()
    path = key_file_beside(url)
    if not path.exists():
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:  # another process made it meanwhile
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write("# vaxbot data key: keep this file, apart from the database\n")
                out.write(new_key_text() + "\n")
            announce(
                f"vaxbot: created the data key {path} (mode 0600). Keep it, and back it up "
                "apart from the database: without it the ID numbers and health answers "
                "cannot be read."
            )
    return Keyring(read_key_file(path), lambda: read_key_file(path))
