"""The platform's public API over HTTP: one route table, a module per API, the shared field rules.

Handlers read and check a request, call the ``Platform`` backend, and render its
answer or its ``PlatformError`` in the platform's wire format.
"""
from . import paths
from ._http import PLATFORM, RAW_BODY, answer, journaled, platform_api, refusal, success
from .routes import ROUTES, add_fallback, add_routes

__all__ = ["PLATFORM", "RAW_BODY", "ROUTES", "add_fallback", "add_routes", "answer", "journaled", "paths",
           "platform_api", "refusal", "success"]
