"""The differential tests again on uvloop (``serve --loop uvloop``, the loop from this folder's conftest):
its transports hand off their own way."""
from __future__ import annotations

from tests.front.test_differential import (  # noqa: F401  (collected again here, on uvloop)
    test_pipelines_same_as_aiohttp,
)
from tests.front.test_differential_streams import (  # noqa: F401
    test_a_client_half_closing_after_its_requests,
    test_a_pipeline_split_at_every_byte_is_answered_as_aiohttp_answers_it_whole,
)


async def test_the_tests_here_run_on_uvloop():
    import asyncio

    import uvloop

    assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
