"""Rewrite the generated parts of manifest.json and README.md from the code, or check they are current.

    python scripts/sync_docs.py          # rewrite
    python scripts/sync_docs.py --check  # exit 1 and name the stale files (the tests do the same)

Generated from the code, so they cannot drift: the manifest's ``tools`` list and the README's tool table
(tools.registry.ALL_TOOLS), the README's flag table (cli.flags.parser) and its error table (server.errors.describe),
and the tool index a server lists its tools from (server/app/tool_index.json: each tool's published schemas).
README blocks sit between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from claude_api_mcp.app import tool_index  # noqa: E402
from claude_api_mcp.cli.flags import env_var, meaning, option_actions, parser  # noqa: E402
from claude_api_mcp.core.config import DEFAULT_BASE_URL, KeyKind  # noqa: E402
from claude_api_mcp.core.errors import ApiError, describe  # noqa: E402
from claude_api_mcp.tools.registry import ALL_TOOLS  # noqa: E402

MANIFEST = ROOT / "manifest.json"
README = ROOT / "README.md"


def manifest_tools() -> list[dict[str, str]]:
    return [{"name": t.name, "description": t.description} for t in ALL_TOOLS]


def render_manifest(text: str) -> str:
    manifest = json.loads(text)
    manifest["tools"] = manifest_tools()
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def tool_table() -> str:
    rows = [
        "| tool | toolset | key | hints | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for t in ALL_TOOLS:
        hints = "R" if t.read_only else "W" + (" D" if t.destructive else "") + (" I" if t.idempotent else "")
        key = "either" if t.any_key else "admin" if t.key is KeyKind.ADMIN else "API"
        rows.append(f"| `{t.name}` | {t.toolset} | {key} | {hints} | {_cell(t.description)} |")
    return "\n".join(rows)


def flag_table() -> str:
    rows = [
        "| flag | environment variable | meaning |",
        "| --- | --- | --- |",
        "| — | `ANTHROPIC_ADMIN_KEY` | Admin API key (`sk-ant-admin…`): Admin API tools and reports |",
        "| — | `ANTHROPIC_API_KEY` | standard API key (`sk-ant-api…`): models, messages, batches, files, skills |",
    ]
    for action in option_actions(parser()):
        env = env_var(action.dest) + ("=1" if action.nargs == 0 else "")
        flag = action.option_strings[-1]
        if action.choices:
            flag += " " + "\\|".join(str(c) for c in action.choices)
        elif action.nargs != 0:
            flag += " " + str(action.metavar or action.dest.upper())
        rows.append(f"| `{flag}` | `{env}` | {_cell(meaning(action))} |")
    return "\n".join(rows)


# One example per class the error table distinguishes; the text is what the model reads.
_ERROR_EXAMPLES: list[tuple[str, ApiError]] = [
    ("400", ApiError("messages: field required", status=400, type="invalid_request_error")),
    ("401", ApiError("invalid x-api-key", status=401, type="authentication_error")),
    ("402", ApiError("billing issue", status=402, type="billing_error")),
    ("403", ApiError("not allowed", status=403, type="permission_error")),
    ("404", ApiError("workspace not found", status=404, type="not_found_error")),
    ("409", ApiError("concurrent membership change", status=409, type="conflict_error")),
    ("413", ApiError("request too large", status=413, type="request_too_large")),
    ("429", ApiError("rate limit exceeded", status=429, type="rate_limit_error", retry_after=42)),
    (
        "429 spend limit",
        ApiError("spend limit", status=429, type="rate_limit_error", error_code="enforced_spend_limit_reached"),
    ),
    ("500", ApiError("internal error", status=500, type="api_error")),
    ("504", ApiError("timeout", status=504, type="timeout_error")),
    ("529", ApiError("overloaded", status=529, type="overloaded_error", retry_after=5)),
    ("502, HTML body", ApiError("HTTP 502 with a non-JSON body (text/html)", status=502, type="non_json_response")),
    ("no connection", ApiError("connection refused", network="connect")),
    ("read timeout", ApiError("timed out", network="read_timeout")),
    (
        "body cut, every attempt",
        ApiError(
            "body was cut off after 512 of 2,119 bytes (HTTP 200, the headers had arrived): a read is sent again "
            "after a cut, up to the retry limit and within the call's deadline; retry later",
            network="body_cut",
        ),
    ),
    (
        "no answer in time",
        ApiError(
            "the call's 90 s deadline ran out; 1 upstream attempt in this call, the last GET "
            "/v1/organizations/users: no answer yet",
            network="deadline",
        ),
    ),
]


NOT_FOUND_EXAMPLE = "Call list_workspaces to find valid ids."


def error_table() -> str:
    rows = ["| upstream | what the model reads (example) |", "| --- | --- |"]
    for label, err in _ERROR_EXAMPLES:
        text = describe(err, key=KeyKind.ADMIN, not_found_hint=NOT_FOUND_EXAMPLE, base_url=DEFAULT_BASE_URL)
        rows.append(f"| {label} | {_cell(text)} |")
    return "\n".join(rows)


BLOCKS: dict[str, Callable[[], str]] = {"tools": tool_table, "flags": flag_table, "errors": error_table}


def render_readme(text: str) -> str:
    for name, make in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
        found = pattern.search(text)
        if found is None:
            raise SystemExit(f"README.md lacks the {start} … {end} markers")
        text = text[: found.start()] + f"{start}\n{make()}\n{end}" + text[found.end() :]
    return text


def render_index(_: str) -> str:
    return tool_index.render()


GENERATED: list[tuple[Path, Callable[[str], str]]] = [
    (MANIFEST, render_manifest),
    (README, render_readme),
    (tool_index.INDEX_PATH, render_index),
]


def stale() -> list[str]:
    """The files whose generated parts differ from the code."""
    out = []
    for path, render in GENERATED:
        current = path.read_text(encoding="utf-8")
        if render(current) != current:
            out.append(path.name)
    return out


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(
        description="Regenerate the manifest's tools, the README's tables and the tool index."
    )
    cli.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    if cli.parse_args(argv).check:
        names = stale()
        if names:
            print(f"out of date: {', '.join(names)}; run: .venv/bin/python scripts/sync_docs.py", file=sys.stderr)
            return 1
        return 0
    for path, render in GENERATED:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        new = render(current)
        if new != current:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
