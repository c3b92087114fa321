"""The server half every fake shares: an aiohttp application on 127.0.0.1 for its lifetime."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from aiohttp import web


class Loopback:
    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._url = ""

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, once started."""
        assert self._runner is not None, "not started"
        return self._url

    async def start(self, app: web.Application, port: int = 0, shutdown: float = 1.0) -> str:
        """Serve ``app`` on ``port`` (0: a free one); its base URL."""
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        host, bound = runner.addresses[0][:2]
        self._runner, self._url = runner, f"http://{host}:{bound}"
        return self._url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class LoopbackServer:
    """A fake far side served on loopback for an ``async with``: ``routes`` adds its handlers;
    ``url`` is where it listens once entered."""

    loop: Loopback

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        app = web.Application()
        self.routes(app)
        await self.loop.start(app)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.loop.stop()

    @property
    def url(self) -> str:
        return self.loop.url
