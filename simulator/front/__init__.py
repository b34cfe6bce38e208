"""The front door: one listening socket; the platform API's plainest requests on a lean path, the rest to aiohttp.

``message``: the ``Request`` and ``Answer`` API handlers see on either path; ``lean``: what an
application serves leanly (``LEAN`` on it); ``connection``: the lean protocol and its hand-off to
aiohttp; ``site``: the aiohttp site that listens with it, and ``run``.
"""
from .lean import LEAN, FrontStats, LeanApi, LeanRoute
from .message import Answer, Request
from .site import Site, run

__all__ = ["LEAN", "Answer", "FrontStats", "LeanApi", "LeanRoute", "Request", "Site", "run"]
