"""`bangfu migrate` and the store's schema version."""

from __future__ import annotations

import typer

from bootstrap import prepare_store
from cli.base import OPENING_ERRORS, app, console, fail, open_app, refuse_store
from projections.rebuild import rebuild_key
from projections.view_errors import RebuildRunningError
from schema import SCHEMA
from settings import Settings
from stores import describe
from stores.migrations import Migration, SchemaBehindError, SchemaNewerError, peek_version

__all__ = ["app"]


@app.command()
def migrate(
    check: bool = typer.Option(
        False, "--check", help="Only say whether the store is current: exit 1 behind, 2 newer."
    ),
) -> None:
    """Bring the store's tables to this Bangfu's schema version (结构升级); safe to run again,
    and while another process runs it."""
    settings = Settings()
    where = describe(settings.database_url)
    try:
        found = peek_version(settings.database_url)
    except OPENING_ERRORS as e:
        refuse_store(settings, e)
    console.print(
        f"{where}: schema version {found}; this Bangfu's is {SCHEMA.latest}", soft_wrap=True
    )
    if found > SCHEMA.latest:
        fail(str(SchemaNewerError(found, SCHEMA.latest)), 2)
    if found == SCHEMA.latest:
        console.print("nothing to do: the store is current (结构已是最新)")
        if not check:
            finish_rebuilds(settings)
        return
    if check:
        fail(str(SchemaBehindError(found, SCHEMA.latest)), 1)

    def applied(step: Migration) -> None:
        console.print(f"applied {step.version}/{SCHEMA.latest}: {step.name}", soft_wrap=True)

    try:
        done = prepare_store(settings, migrate_now=True, progress=applied)
    except OPENING_ERRORS as e:
        refuse_store(settings, e)
    if done:
        console.print(f"the store is at schema version {SCHEMA.latest} (结构升级完成)")
    else:
        console.print("nothing to do: another process migrated the store meanwhile")
    finish_rebuilds(settings)


def finish_rebuilds(settings: Settings) -> None:
    """Finish the view rebuilds that migrations started (readers use the old rows meanwhile),
    or that were stopped half-way."""
    bangfu = open_app(settings)
    try:
        projector = bangfu.views.projector
        for key in sorted(projector.states()):
            if key.endswith(rebuild_key("")):
                name = key.removesuffix(rebuild_key(""))
                try:
                    applied = projector.rebuild(name)
                except RebuildRunningError:
                    console.print(f"the {name} view is being rebuilt by another process")
                    continue
                console.print(f"rebuilt the {name} view ({applied} events)")
    finally:
        bangfu.close()
