"""Recordings: ``GET /rest/provision/voice/record/v1.0`` (spec section 8) and the file itself.

The API answers HTTP 301 with the download address in ``Location``, as the platform
does; the address (ours, standing in for the object store's signed link) serves the WAV.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from ..config import AppConfig
from ..errors import PlatformError, invalid
from ..front import Answer, Request
from ..platform import Platform
from ..recordings import wav_size, write_wav
from ._http import origin_of, refusal
from .endpoint import PLATFORM, aiohttp_answer, platform_api


@platform_api(session_id=False, json_body=False)
def record_url(request: Request, platform: Platform, app: AppConfig, query: dict[str, Any]) -> Answer:
    """Turn a bill's ``recordObjectName`` and ``recordDomain`` into a download address."""
    name = query.get("fileName")
    domain = query.get("recordDomain")
    if not name:
        raise invalid("fileName is required")
    if not domain:
        raise invalid("recordDomain is required")
    rec = platform.record_url(app, name, domain)
    location = f"{origin_of(request)}/voicesim-record/{rec.bucket}/{rec.name}"
    return Answer(301, None, {"Location": location})


async def download(request: web.Request) -> web.StreamResponse:
    """The WAV of a finished, unexpired recording, generated as it is sent."""
    platform = request.app[PLATFORM]
    try:
        rec = platform.recording_file(request.match_info["bucket"], request.match_info["name"])
    except PlatformError as exc:
        return aiohttp_answer(refusal(exc))
    seconds = rec.seconds
    resp = web.StreamResponse(headers={"Content-Type": "audio/wav",
                                       "Content-Disposition": f'attachment; filename="{rec.name}"'})
    resp.content_length = wav_size(seconds)
    await resp.prepare(request)
    if request.method != "HEAD":
        await write_wav(seconds, resp.write)
    await resp.write_eof()
    return resp
