"""The sandbox never imports the official SDK: its generic answers come from the committed shapes.json.

Each test runs ``tests/sandbox_flow_child.py`` (a read/write flow through the MCP tools, admin profile, on
the sandbox) in a child process. With the ``anthropic`` package made unimportable, as on a plain install,
the answers are still full shapes: the parent, which has the SDK, validates them strictly against the SDK's
own types. With the SDK installed, the flow loads no ``anthropic`` module at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from pydantic import TypeAdapter

from claude_api_mcp.client.catalog import load_catalog
from tests.generic_driver import no_extras
from tests.procs import REPO, clean_env
from tests.sdk_types import item_type

CHILD = REPO / "tests" / "sandbox_flow_child.py"
CATALOG = load_catalog()


def run_flow(*flags: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, str(CHILD), *flags], capture_output=True, text=True, timeout=120, env=clean_env(), cwd=REPO
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def test_without_the_sdk_generic_operations_still_answer_full_sdk_shapes() -> None:
    result = run_flow("--no-sdk")
    assert result["sdk_importable"] is False and result["anthropic_modules"] == []  # the shim held
    answers = result["answers"]
    assert set(answers) >= {"beta.agents.create", "beta.agents.list", "organization.service_accounts.create"}
    for op_id, answer in answers.items():
        op = CATALOG.get(op_id)
        assert op is not None and op.typed_tool is None, op_id  # served through the generic tools
        adapter = TypeAdapter(item_type(op_id))
        objects = answer["data"] if op.response_kind == "page" else [answer]  # read_api's page adds its own fields
        assert objects, op_id
        for one in objects:
            no_extras(adapter.validate_json(json.dumps(one), strict=True), op_id)
    agent = answers["beta.agents.create"]  # nested three levels and more: deeper than the catalog's own fields
    assert agent["model"]["id"] == "claude-sonnet-5-5" and isinstance(agent["model"]["effort"], dict)
    assert answers["beta.agents.retrieve"] == agent


def test_the_server_and_its_sandbox_import_no_anthropic_module_at_run_time() -> None:
    result = run_flow()  # the SDK is installed here (the test extra): still nothing may load it
    assert result["sdk_importable"] is True and result["anthropic_modules"] == []
    assert len(result["answers"]) == 5
