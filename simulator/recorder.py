"""Wires the journal into a running app: its hooks, and its store's start-up and shut-down."""
from __future__ import annotations

import asyncio

from aiohttp import web

from .api._http import RAW_BODY
from .journal import Journal
from .journal_store import Store
from .platform import Platform
from .recovery import Recovered, restore

JOURNAL = web.AppKey("journal", Journal)
RECOVERED = web.AppKey("recovered", Recovered)
CONTROL_PREFIX = "/_sim/"


def install(app: web.Application, platform: Platform) -> Journal:
    """Give ``app`` a journal fed by the platform's hooks; with a data dir, persist and recover it."""
    settings = platform.settings
    store = Store(settings.data_dir, platform.clock.now, settings.journal_keep) if settings.data_dir else None
    journal = Journal(platform.clock, settings.journal_keep, store)
    app[JOURNAL] = journal
    app[RECOVERED] = Recovered()
    delivery = platform.delivery
    delivery.event_listeners.append(journal.event)
    delivery.bill_listeners.append(journal.bill)
    delivery.listeners.append(journal.attempt)
    record = journal.request

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        path = request.path
        if path.startswith(CONTROL_PREFIX):
            return
        record(request.method, path, response.status, request.get(RAW_BODY),
               response.body if isinstance(response, web.Response) else None)

    app.on_response_prepare.append(on_prepare)

    if store is not None:
        async def on_startup(_: web.Application) -> None:
            history = store.load()
            store.start()
            restore(platform, journal, history, app[RECOVERED])

        async def on_cleanup(_: web.Application) -> None:
            await asyncio.get_running_loop().run_in_executor(None, store.close)

        app.on_startup.append(on_startup)
        app.on_cleanup.append(on_cleanup)
    return journal
