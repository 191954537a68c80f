"""The README's Inspector command, run again and again over HTTP: never refused (issue 21 item 1).

The Inspector CLI leaves its older-protocol session open when it exits. With a per-client cap that only
refused, the 17th run within the idle timeout was refused (the 42nd of 50 in the report). Here the cap is
4, so the old behaviour would refuse from the 5th run; 12 runs in a row must all succeed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_inspector import TOKEN, inspector
from tests.procs import http_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
RUNS, CAP = 12, 4


def test_the_inspector_run_many_times_in_a_row_is_never_refused(tmp_path: Path) -> None:
    args = ["--sandbox", "--http-token", TOKEN, "--max-sessions-per-client", str(CAP)]
    auth = ["--header", f"Authorization: Bearer {TOKEN}", "--protocol-era", "legacy"]
    with http_server(args, tmp_path) as server:
        listed = [inspector(server.url, *auth, "--method", "tools/list") for _ in range(RUNS)]
    assert all("get_organization" in {t["name"] for t in run["result"]["tools"]} for run in listed)
