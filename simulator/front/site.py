"""``Site``: an aiohttp site whose connections start on the lean path; ``run``: serve until a signal."""
from __future__ import annotations

import asyncio
import ssl

from aiohttp import web
from yarl import URL

from .connection import Front
from .lean import LEAN

SHUTDOWN_WAIT = 60.0  # real seconds, aiohttp's own shutdown_timeout; an answer held longer is given up


class Site(web.BaseSite):
    """A TCP site of ``runner`` (as ``web.TCPSite``) serving its application's ``LEAN`` routes leanly.

    An application without ``LEAN`` is served by aiohttp alone, as by ``web.TCPSite``.
    """

    __slots__ = ("_host", "_port", "_bound_port", "_front")

    def __init__(self, runner: web.AppRunner, host: str, port: int, *,
                 ssl_context: ssl.SSLContext | None = None, backlog: int = 128) -> None:
        super().__init__(runner, ssl_context=ssl_context, backlog=backlog)
        self._host = host
        self._port = port
        self._bound_port: int | None = None
        self._front: Front | None = None

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose, once started, for port 0)."""
        return self._bound_port if self._bound_port is not None else self._port

    @property
    def name(self) -> str:
        """The site's base URL."""
        return str(URL.build(scheme="https" if self._ssl_context else "http", host=self._host, port=self.port))

    async def start(self) -> None:
        """Listen."""
        await super().start()
        runner = self._runner
        assert isinstance(runner, web.AppRunner) and runner.server is not None
        loop = asyncio.get_running_loop()
        lean = runner.app.get(LEAN)
        self._front = None if lean is None else Front(lean, runner.server, loop)
        self._server = await loop.create_server(self._front or runner.server, self._host, self._port,
                                                ssl=self._ssl_context, backlog=self._backlog)
        self._bound_port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and close the connections still on the lean path (aiohttp closes its own): the idle
        at once, those working out an answer once it is written (waited for up to ``SHUTDOWN_WAIT`` seconds),
        as aiohttp lets its handlers finish before the application's clean-up closes what they use."""
        await super().stop()
        if self._front is not None:
            connections = self._front.connections
            answers = [a for a in (c.close_after_answer() for c in list(connections)) if a is not None]
            if answers:
                await asyncio.wait(answers, timeout=SHUTDOWN_WAIT)
            for connection in list(connections):  # answers a scenario held past the wait
                connection.close()


def run(app: web.Application, host: str, port: int, ssl_context: ssl.SSLContext | None = None) -> None:
    """Serve ``app`` on ``host:port`` until SIGINT or SIGTERM, as ``web.run_app`` would."""
    try:
        asyncio.run(_serve(app, host, port, ssl_context))
    except (web.GracefulExit, KeyboardInterrupt):
        pass


async def _serve(app: web.Application, host: str, port: int, ssl_context: ssl.SSLContext | None) -> None:
    runner = web.AppRunner(app, handle_signals=True, access_log=None)
    await runner.setup()
    try:
        await Site(runner, host, port, ssl_context=ssl_context).start()
        await asyncio.Event().wait()  # until a signal's GracefulExit
    finally:
        await runner.cleanup()
