"""The platform's public API over HTTP: one route table, a module per API, the shared field rules.

Handlers read and check a ``front.Request``, call the ``Platform`` backend, and render its
answer or its ``PlatformError`` in the platform's wire format, whether aiohttp or the front's
lean path served the request.
"""
from . import paths
from ._http import answer, refusal, success
from .endpoint import PLATFORM, Endpoint, aiohttp_answer, aiohttp_route, platform_api
from .routes import ROUTES, add_fallback, add_routes, lean_api

__all__ = ["PLATFORM", "ROUTES", "Endpoint", "add_fallback", "add_routes", "aiohttp_answer", "aiohttp_route",
           "answer", "lean_api", "paths", "platform_api", "refusal", "success"]
