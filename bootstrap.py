"""The front door: one place that builds Bangfu from one settings object.

The API (``api.app.create_app``), the CLI (``cli.base``) and the tests all start here, so the
store, the clock, the personal-data vault, the read models, the signing key and the checkpoint
schedule are put together the same way everywhere. Nothing below this module reads the
environment or a working folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from domain.application import Ledger
from domain.clock import Clock, SystemClock
from projections import Views
from settings import Settings
from stores import open_ledger
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
    """Bangfu on the store the settings name (or on ``ledger``, already open), with its clock."""
    settings = settings or Settings()
    return App(
        settings,
        ledger
        or open_ledger(
            settings.database_url,
            create_tables=settings.create_tables,
            master_key=settings.master_key,
            master_key_file=settings.master_key_file,
            clock=clock or SystemClock(settings.business_zone),
        ),
    )
