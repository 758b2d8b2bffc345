"""The front door: one place that builds Bangfu from one settings object.

The API (``api.app.create_app``), the CLI (``cli.base``) and the tests all start here, so the
store, the clock, the personal-data vault, the read models, the signing key and the checkpoint
schedule are put together the same way everywhere. Nothing below this module reads the
environment or a working folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from domain.application import Ledger
from domain.clock import Clock, SystemClock
from projections import Views
from schema import SCHEMA
from settings import Settings
from stores import open_ledger, store_env
from stores.migrations import Migration, SchemaBehindError, SchemaNewerError, peek_version
from stores.sessions import SessionStore
from stores.sql import SqlDatabase
from supervision.checkpoints import Checkpoints, Scheduler
from supervision.signing import Signer


@dataclass
class App:
    """Bangfu, assembled: the ledger, and what is built around it on first use."""

    settings: Settings
    ledger: Ledger

    @cached_property
    def views(self) -> Views:
        """The read models and their projector (creates their tables on first use)."""
        return Views(self.ledger)

    @cached_property
    def sessions(self) -> SessionStore:
        """The web sessions, in a table beside the events (stores/sessions.py)."""
        return SessionStore(SqlDatabase(self.ledger))

    @cached_property
    def signer(self) -> Signer:
        """The Ed25519 key that signs checkpoints (made on first use)."""
        return Signer(self.settings.signing_key_file)

    @cached_property
    def checkpoints(self) -> Checkpoints:
        return Checkpoints(self.ledger)

    def checkpoint_schedule(self) -> Scheduler:
        """Checkpoints every N events or seconds, whichever comes first (in the projector)."""
        s = self.settings
        return Scheduler(
            self.checkpoints, self.signer, s.checkpoint_every_events, s.checkpoint_every_seconds
        )

    def close(self) -> None:
        self.ledger.close()


def bootstrap(
    settings: Settings | None = None, *, clock: Clock | None = None, ledger: Ledger | None = None
) -> App:
    """Bangfu on the store the settings name (or on ``ledger``, already open), with its clock.

    The store's schema is brought to this code's version first when ``migrate_on_start``, else
    checked; a store newer than the code is always refused, before anything is written to it
    (StoreSchemaError, from stores/migrations.py, says what to do in one line)."""
    settings = settings or Settings()
    if ledger is not None:
        db = SqlDatabase(ledger)
        if settings.migrate_on_start:
            SCHEMA.migrate(db)
        else:
            SCHEMA.check_current(db)
        return App(settings, ledger)
    prepare_store(settings)
    return App(
        settings,
        open_ledger(
            settings.database_url,
            create_tables=settings.create_tables,
            master_key=settings.master_key,
            master_key_file=settings.master_key_file,
            clock=clock or SystemClock(settings.business_zone),
            erasure_record=settings.erasure_record_path,
        ),
    )


def prepare_store(
    settings: Settings,
    *,
    migrate_now: bool | None = None,
    progress: Callable[[Migration], None] = lambda m: None,
) -> list[Migration]:
    """Bring the store the settings name to this code's schema before it is opened (when
    ``migrate_now``, by default ``settings.migrate_on_start``; else SchemaBehindError if it is
    behind). A newer store is refused (SchemaNewerError) having written nothing to it; one that
    is current costs one read. Returns the migrations applied."""
    found, latest = peek_version(settings.database_url), SCHEMA.latest
    if found > latest:
        raise SchemaNewerError(found, latest)
    if found == latest:
        return []
    if not (settings.migrate_on_start if migrate_now is None else migrate_now):
        raise SchemaBehindError(found, latest)
    bare = Ledger(env=store_env(settings.database_url, create_tables=settings.create_tables))
    try:
        return SCHEMA.migrate(SqlDatabase(bare), progress)
    finally:
        bare.close()
