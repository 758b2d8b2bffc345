"""An event stored by the previous release is read back in its new shape (upcast), while its
stored bytes, and so the hash chain and the signed checkpoint, stay exactly as they were."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from bootstrap import bootstrap
from domain.access import SYSTEM
from domain.cases import Case
from domain.vocabulary import ClosureReason
from domain.writes import Context
from stores.sql import SqlDatabase
from supervision.verify import verify
from tests.fixtures.release import keys_and_settings, release_public_key, sqlite_copy


def test_a_reopening_stored_by_0_1_0_reads_back_upcast_and_its_bytes_and_the_chain_stay(
    tmp_path: Path,
) -> None:
    the_app = bootstrap(keys_and_settings(tmp_path, sqlite_copy(tmp_path)))
    ledger, db = the_app.ledger, SqlDatabase(the_app.ledger)
    events_table = db.table(ledger.recorder.events_table_name)  # type: ignore[attr-defined]

    def stored() -> list[dict[str, Any]]:
        return db.query(
            f"SELECT originator_id, state FROM {events_table} WHERE topic = %s ORDER BY rowid",
            [get_topic(Case.Reopened)],
        )

    def reopenings(case_id: UUID) -> list[str | None]:
        events = ledger.case_events(SYSTEM, case_id)
        return [vars(e)["closure_reason"] for e in events if isinstance(e, Case.Reopened)]

    try:
        [old] = stored()
        as_written = bytes(old["state"])
        case_id = UUID(str(old["originator_id"]))
        read_back = reopenings(case_id)

        admin, today = Context(SYSTEM), ledger.today()
        ledger.close_case(admin, case_id, ClosureReason.EXITED_INCOME_ABOVE_LINE, "脱困", today)
        ledger.reopen_case(admin, case_id, "再次返困", today)
        first, second = stored()
        both = reopenings(case_id)
        report = verify(ledger, release_public_key())
    finally:
        the_app.close()

    assert "closure_reason" not in json.loads(as_written)  # v1, as 0.1.0 wrote it
    assert "class_version" not in json.loads(as_written)
    assert read_back == [None]  # the key is there, filled by Case.Reopened.upcast_v1_v2
    assert bytes(first["state"]) == as_written  # reading never rewrites what is stored
    new = json.loads(bytes(second["state"]))
    assert new["class_version"] == 2
    assert new["closure_reason"] == ClosureReason.EXITED_INCOME_ABOVE_LINE.value
    assert both == [None, ClosureReason.EXITED_INCOME_ABOVE_LINE.value]
    assert report.ok and report.checkpoints == 1, [str(f) for f in report.faults]
