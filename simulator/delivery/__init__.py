"""Delivery: status events pushed once, bills merged (<= 50) and re-pushed until accepted.

``Delivery`` is the engine's sink; ``outbox`` queues pushes per SP origin for a fixed set of
senders; ``push`` sends one signed HTTP attempt over ``wire``'s keep-alive connections;
``bills`` and ``status`` build the bodies; ``push_chaos`` carries out a scenario's push chaos.
"""
from .bills import MAX_PER_MESSAGE, bill_of, chunks, fee_body, merge_key
from .outbox import Lane, Outbox
from .push import (
    ACCEPTED,
    DELIVERED,
    DROPPED,
    FAILED,
    GIVEN_UP,
    INTERRUPTED,
    NOT_SENT,
    QUEUED,
    REFUSED,
    RETRYING,
    SENDING,
    TIMEOUT,
    TLS,
    UNREACHABLE,
    UNSENT,
    Attempt,
    Push,
    accepted,
    attempt,
    outcome,
)
from .sink import Delivery, DeliveryPolicy
from .status import status_body

__all__ = ["ACCEPTED", "DELIVERED", "DROPPED", "FAILED", "GIVEN_UP", "INTERRUPTED", "MAX_PER_MESSAGE", "NOT_SENT",
           "QUEUED", "REFUSED", "RETRYING", "SENDING", "TIMEOUT", "TLS", "UNREACHABLE", "UNSENT", "Attempt",
           "Delivery", "DeliveryPolicy", "Lane", "Outbox", "Push", "accepted", "attempt", "bill_of", "chunks",
           "fee_body", "merge_key", "outcome", "status_body"]
