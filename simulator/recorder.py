"""Wires the journal into a running app: its hooks, and its store's start-up and shut-down."""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web

from .api._http import RAW_BODY
from .journal import Journal
from .journal_store import Store
from .platform import Platform
from .recovery import Recovered, restore

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JOURNAL = web.AppKey("journal", Journal)
RECOVERED = web.AppKey("recovered", Recovered)
CONTROL_PREFIX = "/_sim/"


def journaled(handler: Handler, journal: Journal) -> Handler:
    """``handler``, recording each request it answers in ``journal``.

    A wrapper on the platform's routes rather than an ``on_response_prepare`` signal:
    the signal costs every request (control API included) several microseconds.
    """
    record = journal.request

    async def answer(request: web.Request) -> web.StreamResponse:
        response = await handler(request)
        record(request.method, request.path, response.status, request.get(RAW_BODY),
               response.body if isinstance(response, web.Response) else None)
        return response

    return answer


def install(app: web.Application, platform: Platform) -> Journal:
    """Give ``app`` a journal fed by the platform's hooks (persisted when there is a data dir)."""
    settings = platform.settings
    store = Store(settings.data_dir, platform.clock.now, settings.journal_keep) if settings.data_dir else None
    journal = Journal(platform.clock, settings.journal_keep, store)
    app[JOURNAL] = journal
    app[RECOVERED] = Recovered()
    delivery = platform.delivery
    delivery.event_listeners.append(journal.event)
    delivery.bill_listeners.append(journal.bill)
    delivery.listeners.append(journal.attempt)
    return journal


def start_store(app: web.Application, platform: Platform, journal: Journal) -> None:
    """With a data dir: load and restore history at start-up, close the store at clean-up.

    Call after the app's own start-up hook: recovery needs delivery started.
    """
    store = journal.store
    if store is not None:
        async def on_startup(_: web.Application) -> None:
            history = store.load()
            store.start()
            restore(platform, journal, history, app[RECOVERED])

        async def on_cleanup(_: web.Application) -> None:
            await asyncio.get_running_loop().run_in_executor(None, store.close)

        app.on_startup.append(on_startup)
        app.on_cleanup.append(on_cleanup)
