"""What the person confirms is what is sent: one prepared request, from the question to the upload.

The attack: a file is 54 bytes when the person is asked and 540 bytes by the time they answer (a
prompt-injected model, or anything else that can write to the allowed folder, swaps it). Before, the
2025-11-25 path re-read the file after the answer and uploaded 540 bytes; the 2026-07-28 path prepared
the call again on the retry and asked the person a second time. Now the bytes are read once, before the
question, and the retry executes that same prepared value.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from mcp.types import ElicitRequestParams, ElicitResult

from claude_api_mcp.core.config import ConfirmPolicy
from claude_api_mcp.sandbox import Sandbox
from tests.conftest import Connect
from tests.helpers import call_ok

pytestmark = pytest.mark.anyio
ERAS = ["modern", "legacy"]  # 2026-07-28 (input_required round trip) and 2025-11-25 (elicitation/create)
CONFIRMED = b"confirmed-content-" + b"a" * 36  # 54 bytes
SWAPPED = b"swapped!" * 67 + b"xxxx"  # 540 bytes


class SwappingPerson:
    """Accepts, but while being asked the file on disk is replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.asked: list[str] = []

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        self.path.write_bytes(SWAPPED)
        return ElicitResult(action="accept", content={"confirm": True})

    def kwargs(self, era: str) -> dict[str, Any]:
        return {"elicitation_callback": self, **({"mode": "legacy"} if era == "legacy" else {})}


def uploaded(sandbox: Sandbox, path: str) -> bytes:
    [request] = [r for r in sandbox.requests if r.method == "POST" and r.path == path]
    return request.body


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("tool", ["write_api", "upload_file"])
async def test_an_upload_sends_the_bytes_the_person_confirmed_though_the_file_changed_while_asked(
    era: str, tool: str, connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    file = tmp_path / "report.txt"
    file.write_bytes(CONFIRMED)
    person = SwappingPerson(file)
    args: dict[str, Any] = (
        {"operation": "files.upload", "arguments": {"file": {"path": str(file)}}}
        if tool == "write_api"
        else {"path": str(file)}
    )
    async with connect(allow_files=(tmp_path,), confirm=ConfirmPolicy.WRITES, client_kwargs=person.kwargs(era)) as c:
        result = await call_ok(c, tool, args)
    [question] = person.asked  # asked once, on both eras: the retry did not prepare the call again
    assert "(54 bytes)" in question or "bytes=54" in question, question
    body = uploaded(sandbox, "/v1/files")
    assert CONFIRMED in body and b"swapped!" not in body
    assert result["size_bytes"] == len(CONFIRMED)
    assert file.read_bytes() == SWAPPED  # the swap did happen, during the question


@pytest.mark.parametrize("era", ERAS)
async def test_a_typed_write_sends_the_body_of_its_dry_run_and_is_not_prepared_again_on_the_retry(
    era: str, connect: Connect, sandbox: Sandbox
) -> None:
    ws = next(w for w in sandbox.org.workspaces.values() if w["name"] == "Prod")
    args = {"workspace_id": ws["id"], "name": "Prod EU"}
    async with connect(client_kwargs=SwappingPerson(Path("/nonexistent")).kwargs("legacy")) as client:
        plan = await call_ok(client, "update_workspace", {**args, "dry_run": True})
    sandbox.requests.clear()

    class Person(SwappingPerson):
        async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
            self.asked.append(params.message)
            return ElicitResult(action="accept", content={"confirm": True})

    person = Person(Path("/nonexistent"))
    async with connect(client_kwargs=person.kwargs(era)) as client:
        await call_ok(client, "update_workspace", args)
    [sent] = [r for r in sandbox.requests if r.method == "POST"]
    assert sent.json() == plan["dry_run"]["body"]  # the body confirmed (shown by the dry run) is the body sent
    reads = [r.path for r in sandbox.requests if r.method == "GET"]
    assert reads == [f"/v1/organizations/workspaces/{ws['id']}"]  # the question's one read, never redone
    assert len(person.asked) == 1


@pytest.mark.parametrize("era", ERAS)
async def test_write_api_sends_exactly_the_body_named_in_the_question(
    era: str, connect: Connect, sandbox: Sandbox
) -> None:
    class Person(SwappingPerson):
        async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
            self.asked.append(params.message)
            return ElicitResult(action="accept", content={"confirm": True})

    person = Person(Path("/nonexistent"))
    args = {"name": "Quantum Lab", "display_color": "#6C5BB9"}
    call = {"operation": "organization.workspaces.create", "arguments": args}
    async with connect(client_kwargs=person.kwargs(era)) as client:
        await call_ok(client, "write_api", call)
    [question] = person.asked
    [sent] = [r for r in sandbox.requests if r.method == "POST"]
    assert sent.json() == args
    shown = dict(re.findall(r'(\w+)="([^"]*)"', question))
    assert shown == args  # every field sent is in the question, with its value


async def test_a_retry_that_must_prepare_again_asks_anew_when_the_file_changed(
    connect: Connect, sandbox: Sandbox, tmp_path: Path
) -> None:
    """A retry that reaches an instance without the plan (simulated: the kept plans are forgotten while the
    person is asked) prepares the call again; the content fingerprint makes a swapped file a new question."""
    from claude_api_mcp.safety import rounds

    file = tmp_path / "report.txt"
    file.write_bytes(CONFIRMED)

    class ForgettingPerson(SwappingPerson):
        async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
            if not self.asked:
                self.path.write_bytes(SWAPPED)
                rounds._kept.clear()  # another worker: it never saw the first plan
            self.asked.append(params.message)
            return ElicitResult(action="accept", content={"confirm": True})

    person = ForgettingPerson(file)
    args = {"path": str(file)}
    async with connect(
        allow_files=(tmp_path,), confirm=ConfirmPolicy.WRITES, client_kwargs=person.kwargs("modern")
    ) as c:
        await call_ok(c, "upload_file", args)
    first, second = person.asked  # the first answer did not carry over to different content
    assert "(54 bytes)" in first and "(540 bytes)" in second
    assert first.rsplit("sha256", 1)[1] != second.rsplit("sha256", 1)[1]
    assert SWAPPED in uploaded(sandbox, "/v1/files")  # what the second question showed
