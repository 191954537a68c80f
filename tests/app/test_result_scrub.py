"""A tool result is scrubbed in one pass over its JSON text when that pass is sure to find every secret
(``to_result``); these attacks echo secrets into a result, on the fast path and on the per-string path."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from claude_api_mcp.app.tool_build import to_result
from claude_api_mcp.core import scrub


class Echo(BaseModel):
    name: str
    nested: dict[str, Any]


def _leaks(secret: str, result: Any) -> list[str]:
    text = result.content[0].text
    structured = json.dumps(result.structured_content, ensure_ascii=False)
    found = [where for where, body in (("text", text), ("structured", structured)) if secret in body]
    found += [
        f"{where} (a string)" for where, body in (("structured", result.structured_content["name"]),) if secret in body
    ]
    return found


def test_a_key_echoed_into_a_result_is_scrubbed_from_its_text_and_structured_content() -> None:
    key = "sk-ant-admin01-" + "Zq8" * 12
    scrub.register([key])
    result = to_result(Echo(name=f"echo {key}", nested={"deep": [f"at depth {key}"], key: 1}))
    assert _leaks(key, result) == []
    assert key[-scrub.PARTIAL :] not in result.content[0].text  # not even its tail
    assert result.structured_content["name"] == "echo sk-ant-…[redacted]"
    assert json.loads(result.content[0].text) == result.structured_content  # the text is still its JSON


def test_a_secret_that_json_escapes_differently_is_scrubbed_string_by_string() -> None:
    """A token with a quote and a backslash is written differently inside JSON, so the one-pass check over the
    text could miss a partial echo of it; such a registry takes the per-string path instead."""
    token = 'tok"en\\Rv7Lp2Wq9Xz4Mb6Nc1Kd'
    scrub.register([token])
    assert not scrub.survives_json()
    tail = token[-scrub.PARTIAL :]
    result = to_result(Echo(name=f"part {token[5:]}", nested={"raw": token, "tail": f"x{tail}"}))
    for leaked in (token, tail, token[5:]):
        assert _leaks(leaked, result) == [], leaked
    assert json.dumps(token)[1:-1] not in result.content[0].text
    assert json.loads(result.content[0].text) == result.structured_content
