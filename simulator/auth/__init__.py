"""AKSK: checking SP requests and signing our pushes (``signing``), and telling an SP which signing
mistake a refused request made (``diagnosis``)."""
from .diagnosis import EVIDENCE_LIMIT, Diagnosis, diagnose
from .signing import (
    AUTHORIZATION,
    BEIJING_OFFSET,
    MAX_ATTRS,
    Token,
    Verifier,
    check_authorization,
    created_now,
    digest,
    parse_attrs,
    parse_created,
    parse_x_aksk,
    push_digest,
    push_headers,
    request_headers,
)

__all__ = ["AUTHORIZATION", "BEIJING_OFFSET", "EVIDENCE_LIMIT", "MAX_ATTRS", "Diagnosis", "Token", "Verifier",
           "check_authorization", "created_now", "diagnose", "digest", "parse_attrs", "parse_created",
           "parse_x_aksk", "push_digest", "push_headers", "request_headers"]
