"""``create_app(settings)``: the one place that knows every room and wires them."""
from __future__ import annotations

from aiohttp import web

from . import control, control_media, dashboard, recorder, scenario_api
from .api import callback, notify, record, stop, verify
from .api._http import PLATFORM, refusal
from .api.codes import PlatformError
from .clock import Clock
from .config import Settings
from .platform import Platform

PLATFORM_PATHS = (verify.PATH,)
PLATFORM_PATHS += (notify.PATH, notify.PATH_V1, callback.PATH, stop.PATH, record.PATH, record.FILE_PATH)


async def _wrong_method(request: web.Request) -> web.Response:
    return refusal(PlatformError(1010006, f"{request.method} is not allowed here", http_status=405))


async def _not_found(request: web.Request) -> web.Response:
    if request.path.startswith(recorder.CONTROL_PREFIX):
        return control.unknown(request)
    return refusal(PlatformError(1010006, f"no API at {request.path}"))


def create_app(settings: Settings | None = None, clock: Clock | None = None,
               platform: Platform | None = None) -> web.Application:
    """A ready-to-run aiohttp application simulating the platform."""
    platform = platform or Platform(settings or Settings(), clock)
    app = web.Application(client_max_size=platform.settings.max_body)
    app[PLATFORM] = platform
    journal = recorder.install(app, platform)

    def route(method: str, path: str, handler: recorder.Handler) -> None:
        app.router.add_route(method, path, recorder.journaled(handler, journal))

    route("POST", verify.PATH, verify.call_verify)
    route("POST", notify.PATH, notify.call_notify)
    route("POST", notify.PATH_V1, notify.call_notify)
    route("POST", callback.PATH, callback.click_to_call)
    route("POST", stop.PATH, stop.call_stop)
    route("GET", record.PATH, record.record_url)
    route("GET", record.FILE_PATH, record.download)
    route("HEAD", record.FILE_PATH, record.download)
    for path in PLATFORM_PATHS:
        route("*", path, _wrong_method)
    control.routes(app)
    control_media.routes(app)
    scenario_api.routes(app)
    dashboard.routes(app)
    route("*", "/{tail:.*}", _not_found)

    async def on_startup(_: web.Application) -> None:
        await platform.start()

    async def on_cleanup(_: web.Application) -> None:
        await platform.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    recorder.start_store(app, platform, journal)  # after on_startup above: recovery needs delivery started
    return app
