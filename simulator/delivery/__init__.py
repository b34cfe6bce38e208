"""Delivery: status events pushed once, bills merged (<= 50) and re-pushed until accepted.

``Delivery`` is the engine's sink; ``push`` sends one signed HTTP attempt; ``bills``
and ``status`` build the bodies; ``push_chaos`` carries out a scenario's push chaos.
"""
from .bills import MAX_PER_MESSAGE, bill_of, chunks, fee_body, merge_key
from .push import DELIVERED, DROPPED, FAILED, GIVEN_UP, RETRYING, SENDING, Attempt, Push, accepted, attempt
from .sink import Delivery, DeliveryPolicy
from .status import status_body

__all__ = ["DELIVERED", "DROPPED", "FAILED", "GIVEN_UP", "MAX_PER_MESSAGE", "RETRYING", "SENDING", "Attempt",
           "Delivery", "DeliveryPolicy", "Push", "accepted", "attempt", "bill_of", "chunks", "fee_body",
           "merge_key", "status_body"]
