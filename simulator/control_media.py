"""``/_sim/media``: list the platform's audio files and templates, register them, review them.

    GET  /_sim/media                  every item with its state
    POST /_sim/media  {"name": "x.wav", "state": "approved"}
                      {"name": "TPL_X", "kind": "template", "text": "Code ${NUM_6}", "state": "pending"}

A POST creates the item or changes the given fields of an existing one.
"""
from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

from aiohttp import web

from .api._http import PLATFORM
from .media import Media

_FIELDS = {"name": str, "kind": str, "state": str, "duration": (int, float), "text": str}


def _error(text: str, status: int = 400) -> web.Response:
    return web.json_response({"error": text}, status=status)


async def list_media(request: web.Request) -> web.Response:
    """Every audio file and template, by name."""
    items = request.app[PLATFORM].media.items.values()
    return web.json_response({"media": [asdict(m) for m in items], "count": len(items)})


def _changes(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ValueError("body must be a JSON object")
    for key, value in doc.items():
        kind = _FIELDS.get(key)
        if kind is None:
            raise ValueError(f"unknown field {key!r}; known: {', '.join(_FIELDS)}")
        if isinstance(value, bool) or not isinstance(value, kind):
            raise ValueError(f"{key} has the wrong type")
    if not doc.get("name"):
        raise ValueError("name is required")
    return doc


async def put_media(request: web.Request) -> web.Response:
    """Register an item, or update the fields given of an existing one (e.g. approve it)."""
    library = request.app[PLATFORM].media
    try:
        doc = _changes(json.loads(await request.read()))
        current = library.items.get(doc["name"])
        media = replace(current, **doc) if current else Media(**doc)
        if media.kind == "audio" and not media.name.lower().endswith(".wav"):
            raise ValueError("audio files must be .wav")
    except ValueError as exc:
        return _error(str(exc))
    library.put(media)
    return web.json_response(asdict(media), status=200 if current else 201)


def routes(app: web.Application) -> None:
    """Add ``/_sim/media`` to ``app``."""
    app.router.add_get("/_sim/media", list_media)
    app.router.add_post("/_sim/media", put_media)
