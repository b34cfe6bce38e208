"""The differential tests again on uvloop (``serve --loop uvloop``): its transports hand off their own way."""
from __future__ import annotations

import pytest
import uvloop

from tests.front.test_differential import (  # noqa: F401  (collected again here, on uvloop)
    test_pipelines_same_as_aiohttp,
)
from tests.front.test_differential_streams import (  # noqa: F401
    test_a_client_half_closing_after_its_requests,
    test_a_pipeline_split_at_every_byte_is_answered_as_aiohttp_answers_it_whole,
)


@pytest.fixture(scope="module")
def event_loop_policy() -> uvloop.EventLoopPolicy:
    return uvloop.EventLoopPolicy()
