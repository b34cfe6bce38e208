"""Local TLS: the server's context (``--tls-cert``/``--tls-key``, or a CA made here for ``--tls-self-signed``)
and the context pushes to ``https://`` SP URLs verify with (the system store plus ``--push-ca-file``).

The self-made CA lives in ``DATA_DIR/tls`` when there is a data dir (reused on the next start, so an SP
trusts it once) or in a fresh temporary directory; each start issues a new server certificate for the
bind hosts (``localhost``, ``127.0.0.1``, ``::1``, ``--host``) and ``--tls-names``.
"""
from __future__ import annotations

import datetime
import os
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import trustme

from .config import Settings

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CA_FILE, CA_KEY, CERT_FILE, KEY_FILE = "ca.pem", "ca.key", "server.pem", "server.key"
# Browsers refuse server certificates valid for more than 398 days; a new one is made at every start.
SERVER_CERT_DAYS = 397


@dataclass(frozen=True, slots=True)
class ServerTLS:
    """What ``serve`` listens with, and what its banner says about it."""

    context: ssl.SSLContext
    cert_file: Path
    ca_file: Path | None = None  # the CA an SP must trust (self-signed mode only)
    names: tuple[str, ...] = ()  # names and addresses the certificate is valid for (self-signed mode)
    kept: bool = False  # the CA is in the data dir and survives restarts

    def banner(self) -> list[str]:
        """The banner's lines about TLS."""
        if self.ca_file is None:
            return [f"  TLS:        certificate {self.cert_file}"]
        where = "in the data dir, reused on restart" if self.kept else "in a temporary directory; --data-dir keeps it"
        return [f"  TLS:        self-signed for {', '.join(self.names)}",
                f"  CA file:    {self.ca_file}  (trust this; {where})"]


def server_tls(settings: Settings) -> ServerTLS | None:
    """The server's TLS from the settings, or None for plain HTTP. Raises ValueError naming a bad file."""
    if settings.tls_self_signed:
        return self_signed(cert_names(settings.host, settings.tls_names), settings.data_dir)
    if settings.tls_cert and settings.tls_key:
        cert = Path(settings.tls_cert)
        return ServerTLS(server_context(cert, Path(settings.tls_key)), cert)
    return None


def cert_names(host: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The loopback names, the bind host (unless a wildcard) and ``extra``, each once, in that order."""
    names: list[str] = []
    for name in (*LOOPBACK_NAMES, host, *extra):
        name = name.strip().strip("[]")
        if name and name not in ("0.0.0.0", "::") and name not in names:
            names.append(name)
    return tuple(names)


def self_signed(names: Iterable[str], data_dir: str | None) -> ServerTLS:
    """A server certificate for ``names`` from a local CA (``data_dir``'s, made there if missing)."""
    names = tuple(names)
    kept = data_dir is not None
    if data_dir is not None:
        folder = Path(data_dir, "tls").absolute()
    else:
        folder = Path(tempfile.mkdtemp(prefix="voicesim-tls-"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ca = _ca(folder)
        expiry = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=SERVER_CERT_DAYS)
        try:
            leaf = ca.issue_cert(*names, not_after=expiry)
        except ValueError as exc:  # trustme: neither a host name nor an address
            raise ValueError(f"tls_names: {exc}") from None
        _write(folder / CERT_FILE, b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        _write(folder / KEY_FILE, leaf.private_key_pem.bytes(), private=True)
    except (OSError, ValueError) as exc:
        if not kept:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ValueError(f"cannot keep the TLS files in {folder}: {exc}") from None
        raise
    context = server_context(folder / CERT_FILE, folder / KEY_FILE)
    return ServerTLS(context, folder / CERT_FILE, folder / CA_FILE, names, kept)


def _ca(folder: Path) -> trustme.CA:
    """The CA kept in ``folder``, or a new one written there."""
    cert, key = folder / CA_FILE, folder / CA_KEY
    if cert.exists() and key.exists():
        try:
            return trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
        except ValueError as exc:
            raise ValueError(f"{cert}: not a CA certificate and key voicesim can use ({exc}); "
                             "remove both files to make a new CA") from None
    ca = trustme.CA(organization_name="voicesim local CA")
    _write(key, ca.private_key_pem.bytes(), private=True)
    _write(cert, ca.cert_pem.bytes())
    return ca


def _write(path: Path, data: bytes, private: bool = False) -> None:
    # Keys are created owner-only; a file of an earlier run is replaced whole.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context presenting ``cert`` (PEM, with its chain) and ``key``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot use TLS certificate {cert} with key {key}: {exc}") from None
    return context


def push_context(ca_file: str | None) -> ssl.SSLContext | None:
    """What pushes to ``https://`` URLs verify against: the system store plus ``ca_file``.

    None without a CA file: the push client then uses the system store alone.
    """
    if ca_file is None:
        return None
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"push_ca_file {ca_file}: cannot load it as PEM certificates: {exc}") from None
    return context

