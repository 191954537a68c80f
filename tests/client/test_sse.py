"""The SSE parser: the event-stream format's rules, whatever the chunk boundaries."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claude_api_mcp.client.sse import ServerSentEvent, SSEParser, aiter_sse

pytestmark = pytest.mark.anyio

STREAM = (
    b'event: message_start\ndata: {"a": 1}\n\n'
    b": a comment line\n"
    b"event: ping\r\ndata: {}\r\n\r\n"
    b"data: line one\rdata: line two\r\r"
    b"id: 7\nretry: 1500\nevent: content_block_delta\ndata:no space\n\n"
)
EXPECTED = [
    ServerSentEvent(event="message_start", data='{"a": 1}'),
    ServerSentEvent(event="ping", data="{}"),
    ServerSentEvent(event="message", data="line one\nline two"),
    ServerSentEvent(event="content_block_delta", data="no space", id="7", retry=1500),
]


def parse_all(chunks: list[bytes]) -> list[ServerSentEvent]:
    parser = SSEParser()
    events = [event for chunk in chunks for event in parser.feed(chunk)]
    return events + parser.feed(b"\n")


def test_parses_named_events_comments_multiline_data_and_all_line_endings() -> None:
    assert parse_all([STREAM]) == EXPECTED


def test_a_crlf_split_across_chunks_is_one_line_ending_not_two() -> None:
    events = parse_all([b"event: a\r", b"\ndata: 1\r", b"\n\r", b"\nevent: b\ndata: 2\n\n"])
    assert events == [ServerSentEvent(event="a", data="1"), ServerSentEvent(event="b", data="2")]


def test_an_unterminated_last_event_is_discarded() -> None:
    assert parse_all([b"data: complete\n\ndata: cut off"]) == [ServerSentEvent(data="complete")]


def test_a_leading_byte_order_mark_and_multibyte_text_split_mid_character_survive() -> None:
    text = "héllo ✓".encode()
    events = parse_all([b"\xef\xbb\xbfdata: " + text[:2], text[2:] + b"\n\n"])
    assert events == [ServerSentEvent(data="héllo ✓")]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert parse_all([b"\n\n: keepalive\n\n\n"]) == []


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(STREAM)]
    chunks = [STREAM[a:b] for a, b in itertools.pairwise(bounds)]
    assert parse_all(chunks) == EXPECTED


async def test_aiter_sse_yields_each_event_as_soon_as_it_is_complete() -> None:
    seen: list[str] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b"data: first\n\n"
        assert seen == ["first"]  # the first event was handed on before the second chunk was read
        yield b"data: second\n\n"

    async for event in aiter_sse(chunks()):
        seen.append(event.data)
    assert seen == ["first", "second"]
