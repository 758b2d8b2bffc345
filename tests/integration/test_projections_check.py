"""`bangfu projections status --check`: an exit code for health checks and cron."""

from __future__ import annotations

from pathlib import Path

from tests.integration.bangfu import run


def test_status_check_fails_while_a_view_lags_and_passes_once_it_is_rebuilt(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The rule does not depend on the store: one store suffices."""
    added = run(["user", "add", "alice", "--role", "finance"], tmp_path, sqlite_url)
    assert added.returncode == 0, added.stderr

    lagging = run(["projections", "status", "--check", "--max-lag", "0"], tmp_path, sqlite_url)
    rebuilt = run(["projections", "rebuild"], tmp_path, sqlite_url)
    caught_up = run(["projections", "status", "--check", "--max-lag", "0"], tmp_path, sqlite_url)

    assert lagging.returncode == 1, lagging.stdout
    assert "Not ready 未就绪" in lagging.stderr and "behind" in lagging.stderr
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert caught_up.returncode == 0, caught_up.stderr
