"""``/_sim/media``: list the platform's audio files and templates, register them, review them.

    GET  /_sim/media                  every item with its state
    POST /_sim/media  {"name": "x.wav", "state": "approved"}
                      {"name": "TPL_X", "kind": "template", "text": "Code ${NUM_6}", "state": "pending"}

A POST creates the item or changes the given fields of an existing one.
"""
from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from aiohttp import web

from ..media import Media
from .guard import BadInput, ok, read_body
from .keys import parts

_FIELDS: dict[str, type | tuple[type, ...]] = {"name": str, "kind": str, "state": str, "duration": (int, float),
                                               "text": str}


async def list_media(request: web.Request) -> web.Response:
    """``GET /_sim/media``: every audio file and template, by name."""
    items = parts(request)[0].media.items.values()
    return ok({"media": [asdict(m) for m in items], "count": len(items)})


def _changes(doc: dict[str, Any]) -> dict[str, Any]:
    for key, value in doc.items():
        kind = _FIELDS.get(key)
        if kind is None:
            raise BadInput(f"unknown field {key!r}; known: {', '.join(_FIELDS)}")
        if isinstance(value, bool) or not isinstance(value, kind):
            raise BadInput(f"{key} has the wrong type")
    if not doc.get("name"):
        raise BadInput("name is required")
    return doc


async def put_media(request: web.Request) -> web.Response:
    """``POST /_sim/media``: register an item, or update the fields given of an existing one (e.g. approve it)."""
    library = parts(request)[0].media
    doc = _changes(await read_body(request))
    current = library.items.get(doc["name"])
    try:
        media = replace(current, **doc) if current else Media(**doc)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if media.kind == "audio" and not media.name.lower().endswith(".wav"):
        raise BadInput("audio files must be .wav")
    library.put(media)
    return ok(asdict(media), status=200 if current else 201)
