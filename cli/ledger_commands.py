"""Commands for running Bangfu: serve, demo data, users, tokens and passwords."""

from __future__ import annotations

import os
from typing import Annotated
from uuid import UUID

import typer
import uvicorn
from rich.table import Table

from cli.base import (
    app,
    check_can_listen,
    console,
    err,
    open_store,
    progress_bar,
    refusals,
    user_app,
)
from cli.demo import DemoBuilder, DemoData, demo_state, reissue_credentials
from domain.access import SYSTEM
from domain.application import Ledger
from domain.errors import BangfuError
from domain.passwords import new_password
from domain.vocabulary import Role
from settings import Settings
from stores import describe


def load_demo(ledger: Ledger, households: int) -> DemoData:
    with progress_bar("Loading demo data 演示数据") as (progress, task):
        builder = DemoBuilder(
            ledger, households, tick=lambda n: progress.advance(task, n), resumable=True
        )
        progress.update(task, total=builder.steps())
        data = builder.build()
        progress.update(task, completed=builder.steps())
    return data


def _by_user(title: str, what: str, values: dict[str, str]) -> Table:
    """A table of each user and its ``what`` (a token, a password)."""
    table = Table(title=title)
    table.add_column("user")
    table.add_column(what)
    for name, value in values.items():
        table.add_row(name, value)
    return table


def _print_credentials(
    tokens: dict[str, str], passwords: dict[str, str], base_url: str | None = None
) -> None:
    """Two tables (each fits a terminal 80 columns wide): the API's tokens, the web passwords."""
    console.print(_by_user("Demo users 演示用户 (tokens are shown once)", "token", tokens))
    console.print(_by_user("Web sign-in 网页登录 (shown once)", "password", passwords))
    if base_url:
        console.print(
            f"Sign in at {base_url}/app/ with a user name and its password above (网页登录), "
            f"or try the API: curl -H 'Authorization: Bearer {tokens['demo-auditor']}' "
            f"{base_url}/vocabulary"
        )


@app.command()
def demo(
    households: Annotated[
        int, typer.Option(min=5, max=10_000_000, help="how many archived households")
    ] = 300,
) -> None:
    """Load a realistic demo data set into an empty store and print a token per role.

    A load that was interrupted (a crash, Ctrl-C) resumes where it stopped when run again with
    the same --households."""
    settings = Settings()
    ledger = open_store(settings)
    state = demo_state(ledger)
    if state == "unfinished":
        err.print("[yellow]Resuming the demo load that stopped part-way 继续加载[/yellow]")
    elif state != "empty":
        err.print(
            f"[red]The store ({describe(settings.database_url)}) already holds events;[/red] "
            "the demo loads only into an empty store. Point BANGFU_DATABASE_URL "
            "elsewhere, or use `bangfu serve --demo` to reuse it."
        )
        raise typer.Exit(1)
    data = load_demo(ledger, households)
    console.print(
        f"Loaded {len(data.centres)} centres, {len(data.funds)} funds, "
        f"{len(data.cases)} households into {describe(settings.database_url)}."
    )
    for line in data.summary:  # the Spring Festival campaign, approvals, schedules, roster
        console.print(line)
    console.print(f"Root centre 市帮扶中心: {data.root_centre_id}")
    _print_credentials(data.tokens, data.passwords)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    with_demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="load the demo data set if the store is empty, "
            "else print new tokens and passwords for the demo users",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="server processes sharing the one listening socket (more than one needs "
            "BANGFU_PROJECT_IN_PROCESS=false and `bangfu project` running beside them)",
        ),
    ] = 1,
) -> None:
    """Start the HTTP API (OpenAPI at /docs)."""
    settings = Settings()
    if workers > 1 and settings.project_in_process:
        err.print(
            "[red]--workers above 1 needs the views kept by their own process:[/red] set "
            "BANGFU_PROJECT_IN_PROCESS=false and run `bangfu project` beside the server."
        )
        raise typer.Exit(2)
    ledger = open_store(settings)
    host, port = host or settings.host, port or settings.port
    check_can_listen(host, port)  # before printing a URL that would not answer
    base_url = f"http://{host}:{port}"
    if with_demo:
        if demo_state(ledger) in ("empty", "unfinished"):
            data = load_demo(ledger, 300)
            _print_credentials(data.tokens, data.passwords, base_url)
        else:
            try:
                _print_credentials(*reissue_credentials(ledger), base_url)
            except BangfuError:
                err.print(
                    "[yellow]This store holds data but no demo users;[/yellow] "
                    "add a user with `bangfu user add NAME --role admin`."
                )
    console.print(f"Data directory 数据目录: {settings.data_dir}")
    console.print(
        f"Bangfu 帮扶 on {describe(settings.database_url)}: the web app 网页 {base_url}/app/ , "
        f"the API 接口文档 {base_url}/docs"
    )
    # the request lines come from api/observability (ids, route templates): no access log of
    # uvicorn's, which would print raw paths and query strings; its other lines go through ours
    if workers > 1:  # uvicorn's workers: each builds its own app (api/app.py) on the socket
        ledger.close()  # the store is open and current: the workers neither create nor migrate
        os.environ |= {"BANGFU_CREATE_TABLES": "false", "BANGFU_MIGRATE_ON_START": "false"}
        factory, patience = "api.app:app_from_environment", 60  # s: a busy host starts slowly
        uvicorn.run(
            factory,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            timeout_worker_healthcheck=patience,  # uvicorn's 5 s kills workers still importing
            log_level="info",
            log_config=None,
            access_log=False,
        )
        return
    from api.app import create_app  # the web app only where it is served: other commands start
    from api.observability.gc_pauses import settle_heap
    from api.projector import default_mode  # a second sooner without it

    app = create_app(ledger, settings, projector=default_mode(settings))
    settle_heap()
    uvicorn.run(app, host=host, port=port, log_level="info", log_config=None, access_log=False)


PasswordOption = Annotated[
    str | None,
    typer.Option(
        help="the password for the web app (10 to 200 characters); when absent, a random one "
        "is made and printed",
    ),
]


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[Role, typer.Option(help="admin, finance, caseworker, supervisor or auditor")],
    centre: Annotated[
        str | None, typer.Option(help="limit the user to this centre's subtree")
    ] = None,
    password: PasswordOption = None,
) -> None:
    """Add a user; prints a made password, then the bearer token on the last line (only once)."""
    ledger = open_store(Settings())
    chosen = password if password is not None else new_password()
    with refusals("centre"):
        token = ledger.add_user(SYSTEM, name, role, UUID(centre) if centre else None, chosen)
    if password is None:
        err.print(
            f"User {name} ({role.value} {role.zh}) added. Their password for the web app, "
            "then their token, shown only now:"
        )
        print(chosen)
    else:
        err.print(f"User {name} ({role.value} {role.zh}) added. Their token, shown only now:")
    print(token)


@user_app.command("password")
def user_password(name: str, password: PasswordOption = None) -> None:
    """Set a user's web password and sign them out everywhere; prints a made one, once."""
    ledger = open_store(Settings())
    chosen = password if password is not None else new_password()
    with refusals("user"):
        ledger.set_password(SYSTEM, name, chosen)
    if password is None:
        err.print(f"The new password of {name}, shown only now:")
        print(chosen)
    else:
        err.print(f"The password of {name} is set; they are signed out everywhere.")


@user_app.command("token")
def user_token(name: str) -> None:
    """Issue a new token for a user (the old one stops working); prints it on the last line."""
    ledger = open_store(Settings())
    with refusals("user"):
        token = ledger.issue_token(SYSTEM, name)
    print(token)
