"""scripts/build_bundle.py fails when pip reports an error for the bundle, and explains the one it ignores."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.paths import REPO

RESOLVER = (
    "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. "
    "This behaviour is the source of the following dependency conflicts."
)


def build_bundle() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_bundle", REPO / "scripts" / "build_bundle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lib_with(tmp_path: Path, *dists: str) -> Path:
    for dist in dists:
        (tmp_path / f"{dist}.dist-info").mkdir()
    return tmp_path


def test_a_conflict_of_a_package_outside_the_bundle_is_explained_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conflict = "msal 1.39.0 requires cryptography<51,>=2.5, but you have cryptography 51.0.1 which is incompatible."
    stderr = f"{RESOLVER}\n{conflict}\n"
    assert build_bundle().pip_errors(stderr, lib_with(tmp_path, "cryptography-51.0.1", "mcp-2.3.0")) is False
    assert "msal 1.39.0, which is installed in" in capsys.readouterr().err


def test_a_conflict_inside_the_bundle_fails_the_build(tmp_path: Path) -> None:
    conflict = "pydantic 2.9.0 requires pydantic-core==2.23.4, but you have pydantic-core 2.41.0 which is incompatible."
    stderr = f"{RESOLVER}\n{conflict}\n"
    assert build_bundle().pip_errors(stderr, lib_with(tmp_path, "pydantic-2.9.0", "pydantic_core-2.41.0")) is True


def test_any_other_pip_error_fails_the_build(tmp_path: Path) -> None:
    stderr = "ERROR: Could not find a version that satisfies the requirement mcp>=2.3,<3\n"
    assert build_bundle().pip_errors(stderr, lib_with(tmp_path)) is True
    assert build_bundle().pip_errors("WARNING: a warning only\n", tmp_path) is False


@pytest.mark.e2e
def test_a_build_pip_cannot_satisfy_stops_with_what_to_do(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_bundle().stage(tmp_path / "bundle", platform_tag="no_such_platform_x", python_version="3.11")
    assert "Fix what it names" in str(stopped.value) and "--platform" in str(stopped.value)
    assert "ERROR:" in capfd.readouterr().err  # pip's own reason is shown, not swallowed
