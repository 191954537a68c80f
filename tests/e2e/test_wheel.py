"""A wheel built from this checkout installs into a fresh virtual environment and serves over stdio."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests.helpers import call_ok
from tests.procs import REPO, clean_env, run, venv_python

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The console script of a fresh venv with the wheel and its dependencies (and nothing from this checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--quiet", "-w", str(work / "dist")],
        timeout=600,
        cwd=REPO,
    )
    [wheel] = (work / "dist").glob("claude_api_mcp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("claude_api_mcp-")}  # besides the .dist-info
    assert tops == {"claude_api_mcp"}, f"generic names at the top of site-packages: {sorted(tops)}"
    expected = ["cli/main.py", "tools/registry.py", "sandbox/org.py", "client/catalog/operations.json"]
    expected += ["app/tool_index.json", "app/ui/reports.html"]  # the data a server starts from and shows
    missing = [n for n in expected if f"claude_api_mcp/{n}" not in names]
    assert not missing, f"the wheel lacks {missing}"
    run([sys.executable, "-m", "venv", str(work / "venv")], timeout=120)
    run([str(venv_python(work / "venv")), "-m", "pip", "install", "--quiet", str(wheel)], timeout=900, cwd=work)
    return work / "venv" / ("Scripts/claude-api-mcp.exe" if sys.platform == "win32" else "bin/claude-api-mcp")


def test_the_console_script_shows_its_help(installed: Path) -> None:
    done = run([str(installed), "--help"], timeout=60, cwd=installed.parent, env=clean_env())
    assert done.stdout.startswith("usage: claude-api-mcp") and "--sandbox" in done.stdout


async def test_the_installed_server_lists_and_calls_tools_over_stdio(installed: Path) -> None:
    params = StdioServerParameters(
        command=str(installed), args=["--sandbox"], env=clean_env(), cwd=str(installed.parent)
    )
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        org = await call_ok(client, "get_organization")
    assert len(names) > 20 and "get_organization" in names
    assert org["type"] == "organization"
