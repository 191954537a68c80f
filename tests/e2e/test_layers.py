"""The package's shape: layers that point one way (import-linter), no import cycles, every folder installed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import REPO

LAYOUT = {"claude_api_mcp": REPO / "server", "claude_api_mcp.tools": REPO / "tools"}


def test_the_layer_contracts_hold() -> None:
    done = subprocess.run([sys.executable, "scripts/layers.py"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_imports_itself_through_a_cycle() -> None:
    """Strongly connected components of the import graph (TYPE_CHECKING imports included) are single modules."""
    grimp = pytest.importorskip(
        "grimp", reason="grimp is not installed: pip install -e '.[test]' (import-linter brings it)"
    )
    subprocess.run([sys.executable, "scripts/typecheck.py", "--version"], cwd=REPO, check=True, capture_output=True)
    sys.path.insert(0, str(REPO / ".typecheck"))
    try:
        graph = grimp.build_graph("claude_api_mcp", cache_dir=None)
    finally:
        sys.path.remove(str(REPO / ".typecheck"))
    cycles = strongly_connected(graph)
    assert cycles == [], f"{len(cycles)} import cycles: {cycles}"


def strongly_connected(graph: object) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module."""
    modules = sorted(graph.modules)  # type: ignore[attr-defined]
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}  # type: ignore[attr-defined]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if i < len(targets):
                work.append((node, i + 1))
                nxt = targets[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_every_package_folder_is_installed() -> None:
    """pyproject.toml lists packages by hand (package-dir maps the folders): a new folder must be listed."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+: run the tests with Python 3.11 or newer")
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for name, root in LAYOUT.items():
        for init in root.rglob("__init__.py"):
            rel = init.parent.relative_to(root).parts
            if "tools" in rel and root.name == "server":
                continue
            found.add(".".join([name, *rel]))
    assert found == listed
