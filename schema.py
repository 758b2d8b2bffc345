"""The schema of every table Bangfu keeps beside the events, as numbered migrations.

stores/migrations.py runs them (in order, each once, under a lock, recorded in
``schema_version``); this list names them. It sits at the top, beside bootstrap.py, because the
tables belong to every layer: the vault and sessions (stores/), the read models
(projections/), checkpoints, the scope chain and the signing keys' history (supervision/).
A new migration goes at the end, and ``stores.migrations.LATEST`` moves to its number.
"""

from __future__ import annotations

from collections.abc import Callable

from projections import Views
from projections.rebuild import rebuild_key
from stores import sessions
from stores.migrations import Migration, Schema, check_chain, key_birth_times
from stores.sql import SqlDatabase
from stores.vault import Vault
from supervision.checkpoints import Checkpoints


def baseline(db: SqlDatabase) -> None:
    """Every table of 0.1.0, made by its own maker (each idempotent); a store of 0.1.0 is checked
    to be Bangfu's (its hash chain covers its events) and stamped."""
    check_chain(db)
    Vault(db, _no_master_key)  # household_keys, vault_meta
    sessions.create_tables(db)  # web_sessions, sign_in_failures
    Checkpoints(db.ledger)  # checkpoints v1 and v2, the scope chain, the signing keys' history
    Views(db.ledger)  # view_state, view_failures, every read model's first generation


def _no_master_key(create: bool) -> bytes:
    raise AssertionError("a migration never reads the master key")


def start_rebuild(*names: str) -> Callable[[SqlDatabase], None]:
    """A migration for views whose rows an event's new shape changes (an upcast field): it starts
    their rebuild, a new generation beside the one readers keep using, which `bangfu migrate`
    (or `bangfu projections rebuild`) resumes and switches to. A view that read nothing yet
    needs none."""

    def start(db: SqlDatabase) -> None:
        projector = Views(db.ledger).projector
        for name in names:
            view, current = projector.view(name), projector.state(name)
            if current is None or current.position == 0:
                continue
            new, key = current.generation + 1, rebuild_key(name)
            with db.transaction() as cursor:
                delete = f"DELETE FROM {projector.state_table} WHERE view = %s"
                cursor.execute(db.sql(delete), (key,))
                view.drop(cursor, new)  # a rebuild begun before the upgrade starts afresh
                view.create(cursor, new)
                insert = f"INSERT INTO {projector.state_table} VALUES (%s, %s, 0)"
                cursor.execute(db.sql(insert), (key, new))

    return start


SCHEMA = Schema(
    (
        Migration(1, "baseline: the tables of Bangfu 0.1.0", baseline),
        Migration(2, "household keys: a birth time (stores older than 0.1.0)", key_birth_times),
        Migration(
            3,
            "audit view rebuilt: Case.Reopened v2 names the closure it ends",
            start_rebuild("audit"),
        ),
        Migration(
            4,
            "archive and funds views rebuilt: indexes that page a province's archive and sum a "
            "balance as of a date from the index alone",
            start_rebuild("archive", "funds"),
        ),
    )
)
"""Bangfu's migrations; ``SCHEMA.latest`` is the schema version this code serves."""
