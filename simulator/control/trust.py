"""Who the control API answers: the Host names it serves, the browser origins that may change state,
and never the simulator's own pushes.

A page the user happens to visit can make the browser POST to ``http://127.0.0.1:8090/_sim/reset``
(a form or ``text/plain`` needs no preflight), or rebind a name of its own to 127.0.0.1 and talk to
``/_sim/`` as if same-origin. So:

- the ``Host`` header must be an IP address, ``localhost``, the bind host or one of
  ``--allowed-hosts`` (DNS rebinding needs a name of the attacker's: it fails here), except for
  reading ``/_sim/health``;
- a state-changing request (any method but GET, HEAD, OPTIONS) from a browser, which says so with
  ``Origin`` or ``Sec-Fetch-Site``, must come from the page's own origin (the dashboard, served
  here) or one of ``--allowed-origins``; curl, scripts and tests send neither and pass;
- a request carrying ``X-AKSK`` is a platform-signed push: a status or bill URL pointing at our own
  ``/_sim/`` is refused here, wherever the name it used resolves.
"""
from __future__ import annotations

import ipaddress

from aiohttp import web

from .guard import Handler, error

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEALTH = "/_sim/health"
_LOOPBACK_NAMES = frozenset({"localhost"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _split_host(host: str) -> tuple[str, str]:
    """``example:8090`` -> (``example``, ``8090``); ``[::1]:80`` -> (``::1``, ``80``); lowercase, no final dot."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest.removeprefix(":")
    name, colon, port = host.rpartition(":")
    if not colon or not port.isdigit() or ":" in name:  # no port, or a bare IPv6 address
        return host.rstrip("."), ""
    return name.rstrip("."), port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Trust:
    """The rules above for one simulator: its bind host, ``allowed_hosts`` and ``allowed_origins``."""

    def __init__(self, bind_host: str, allowed_hosts: tuple[str, ...] = (),
                 allowed_origins: tuple[str, ...] = ()) -> None:
        hosts = {h.strip().lower().rstrip(".") for h in allowed_hosts}
        self.any_host = "*" in hosts
        self.hosts = hosts | _LOOPBACK_NAMES | {_split_host(bind_host)[0]}
        origins = {o.strip().lower().rstrip("/") for o in allowed_origins}
        self.any_origin = "*" in origins
        self.origins = {_origin_key(o) for o in origins - {"*"}}

    def refusal(self, request: web.Request) -> web.Response | None:
        """The 403 answer for a request the control API must not serve, or None to serve it."""
        headers = request.headers
        if "X-AKSK" in headers:
            return error(403, "the control API does not answer platform-signed requests: a status or bill URL "
                              "pointing at the simulator's own /_sim/ is refused")
        host_header = headers.get("Host", "")
        name, port = _split_host(host_header)
        # Health is the one read open to any Host: it tells a rebound page nothing worth taking, and
        # health checks (load balancers, CI's Docker hosts, Testcontainers) call by names of their own.
        health = request.method in ("GET", "HEAD") and request.path == HEALTH
        if host_header and not (health or self.any_host or name in self.hosts or _is_ip(name)):
            return error(403, f"Host {name!r} is not served by the control API (a DNS-rebinding guard); "
                              "start with --allowed-hosts to add it")
        if request.method in _SAFE_METHODS:
            return None
        origin = headers.get("Origin")
        if origin is not None:
            if self.any_origin or self._same_origin(origin, name, port) or _origin_key(origin) in self.origins:
                return None
            return error(403, f"cross-origin request from {origin[:100]!r} refused: only the dashboard's own "
                              "origin may change the simulator (--allowed-origins adds more)")
        if headers.get("Sec-Fetch-Site", "same-origin").lower() not in ("same-origin", "none"):
            return error(403, "cross-site request refused: only the dashboard's own origin may change the "
                              "simulator (--allowed-origins adds more)")
        return None

    @staticmethod
    def _same_origin(origin: str, name: str, port: str) -> bool:
        scheme, sep, rest = origin.strip().lower().partition("://")
        if not sep or scheme not in _DEFAULT_PORTS:
            return False
        o_name, o_port = _split_host(rest)
        default = str(_DEFAULT_PORTS[scheme])
        return o_name == name and (o_port or default) == (port or default)


def _origin_key(origin: str) -> tuple[str, str, str]:
    """(scheme, host, port) of an origin, the port filled in, for comparing."""
    scheme, _, rest = origin.strip().lower().rstrip("/").partition("://")
    name, port = _split_host(rest)
    return scheme, name, port or str(_DEFAULT_PORTS.get(scheme, ""))


def trusted(handler: Handler, trust: Trust) -> Handler:
    """``handler``, behind ``trust``'s refusals."""

    async def check(request: web.Request) -> web.StreamResponse:
        refused = trust.refusal(request)
        return refused if refused is not None else await handler(request)

    return check
