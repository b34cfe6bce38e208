"""Wires a journal to a platform: its hooks on delivery, and its store's start-up (recovery) and shut-down."""
from __future__ import annotations

import asyncio
from dataclasses import asdict

from ..platform import Platform
from .memory import Journal
from .recovery import Recovered, restore
from .storable import unstorable
from .store import Store


def attach(platform: Platform) -> Journal:
    """A journal fed by the platform's hooks (persisted in the data dir, when there is one).

    Raises ValueError naming an app (from flags, environment or config file) the journal could
    not store nor a push carry.
    """
    for app in platform.apps.values():
        why = unstorable(asdict(app))
        if why is not None:
            raise ValueError(f"app {app.key!r}: its settings hold {why}")
    settings = platform.settings
    store = Store(settings.data_dir, platform.clock.now, settings.journal_keep) if settings.data_dir else None
    journal = Journal(platform.clock, settings.journal_keep, store)
    delivery = platform.delivery
    delivery.event_listeners.append(journal.event)
    delivery.bill_listeners.append(journal.bill)
    delivery.listeners.append(journal.attempt)
    if store is not None:
        delivery.before_send = journal.before_send
        platform.verifier.remembered = store.nonce
    return journal


def open_store(platform: Platform, journal: Journal, recovered: Recovered) -> None:
    """With a data dir: load its history, start the writer, and take over what the history owes.

    Call once delivery has started: recovery re-pushes owed bills at once.
    """
    store = journal.store
    if store is not None:
        history = store.load()
        store.start()
        restore(platform, journal, history, recovered)


async def close_store(journal: Journal) -> None:
    """Write what is queued and stop the writer, off the event loop."""
    store = journal.store
    if store is not None:
        await asyncio.get_running_loop().run_in_executor(None, store.close)
