"""SIGKILL to `bangfu serve` under load, a few times: no acknowledged payment is lost or paid
twice, the hash chain holds, and the views equal a rebuild (bench/kill_under_load.py, small)."""

from __future__ import annotations

import uuid

import pytest

from bench.kill_under_load import figure_rows, run
from tests.conftest import PG_DSN, require_postgres


@pytest.mark.postgres_only
def test_killing_the_server_under_load_loses_and_doubles_nothing_acknowledged() -> None:
    require_postgres()
    result = run(
        kills=3,
        clients=4,
        cases=20,
        seed=20261130,
        kill_range=(0.3, 1.0),
        database=f"bangfu_test_kill_{uuid.uuid4().hex[:12]}",  # its own, dropped after
        admin_dsn=PG_DSN,
        say=lambda line: None,
    )
    f = result.figures
    print("\n" + "\n".join(f"{what}: {value}" for what, value in figure_rows(result)))

    assert all(r.killed for r in result.rounds[:-1]), "a server outlived its SIGKILL"
    assert not any(r.orphans for r in result.rounds), "the projector outlived its server"
    assert f.acknowledged == f.requests > 0
    assert f.lost == 0, f.lost_detail
    assert f.doubled_trail == f.doubled_movements == 0
    assert f.wrong_replay == f.unacknowledged_paid == f.strangers == 0
    assert f.disbursed_ok, f.disbursed
    assert f.verify_ok, f.verify_text
    assert f.views_equal, f.views_detail
    assert all(line.startswith("ok") for line in f.exactly_once_lines), f.exactly_once_lines
    assert result.notes_of_concern == []
