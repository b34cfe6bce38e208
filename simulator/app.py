"""``create_app(settings)``: the one place that knows every room and wires them."""
from __future__ import annotations

from aiohttp import web

from . import api, control, front, server_errors
from .clock import Clock
from .config import Settings
from .connections import handler_args
from .journal import Recovered, attach, close_store, open_store
from .platform import Platform


def create_app(settings: Settings | None = None, clock: Clock | None = None,
               platform: Platform | None = None) -> web.Application:
    """A ready-to-run aiohttp application simulating the platform."""
    platform = platform or Platform(settings or Settings(), clock)
    settings = platform.settings
    app = web.Application(client_max_size=settings.max_body, handler_args=handler_args(settings))
    app[api.PLATFORM] = platform
    server_errors.install(app)  # aiohttp's own 400s and 500s in our JSON shapes
    journal = attach(platform)
    recovered = Recovered()
    api.add_routes(app, journal)
    app[front.LEAN] = api.lean_api(platform, journal)  # the same routes, for a front.Site's lean path
    control.add_routes(app, platform, journal, recovered)
    api.add_fallback(app, journal)  # last: it takes every path no route above took

    async def on_startup(_: web.Application) -> None:
        await platform.start()
        open_store(platform, journal, recovered)  # after start: recovery re-pushes owed bills

    async def on_cleanup(_: web.Application) -> None:
        await platform.close()
        await close_store(journal)

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app
