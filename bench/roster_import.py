"""Benchmark: importing a payment roster (花名册) of 100,000 rows, beside raw COPY of the same rows.

    python -m bench.roster_import [--rows 100000] [--chunk 1000] [--no-cards] [--no-results]

A fresh PostgreSQL database is prepared with a centre tree, one fund holding enough money and
one household per row (saved in bulk, their keys written in one statement a batch); the roster
is a CSV with a bank card on every row. The import is timed from the CSV's bytes to the last row
paid (read, each row checked with a payment's rules on the chunk's copies of its fund and
households, a chunk of rows paid per transaction, each card sealed), with the CPU time the
process spent. Two baselines are measured in the same run: COPY of the same CSV rows into a
plain table, and COPY of the event rows the import stored (the same bytes, into a table of the
same columns and keys). The goal is at least 25% of COPY's rate; both ratios are printed
whatever they are, with the load average at the start and the end (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
from eventsourcing.domain import Aggregate
from rich.console import Console
from rich.table import Table

from api.roster_files import read_table
from bench.bulk_vault import BulkVault
from cli.base import progress_bar
from domain.access import SYSTEM
from domain.application import Context, Ledger
from domain.cases import Assessment, Case, Person
from domain.centres import Centre
from domain.funds import Fund
from domain.id_numbers import make_id_number
from domain.person_index import PersonIndex
from domain.rosters import RowStatus, parse_roster
from domain.vocabulary import AssistanceType, Category, Cause, CentreLevel, FundSource
from stores import store_env
from stores.sql import SqlDatabase
from stores.vault import Vault

console = Console()
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "bangfu_roster_bench"
RESULTS = Path(__file__).with_name("RESULTS-roster-import.md")
ACTOR, DAY, PAID_ON = "bench-loader", date(2026, 1, 5), date(2026, 2, 1)
AMOUNTS = (500_00, 800_00, 1_000_00)


def fresh_database() -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"


def drop_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def prepare(ledger: Ledger, households: int) -> tuple[UUID, list[UUID]]:
    """A city, 10 districts and 100 streets; a warmth fund at the city holding enough for every
    row; ``households`` households spread over the streets (saved 500 aggregates at a time, their
    keys with them)."""
    city = Centre.found("市帮扶中心", CentreLevel.PREFECTURE, None, ACTOR, DAY)
    districts = [Centre.found(f"区{d}", CentreLevel.COUNTY, city, ACTOR, DAY) for d in range(10)]
    streets = [
        Centre.found(f"街道{d}-{s}", CentreLevel.STREET, dist, ACTOR, DAY)
        for d, dist in enumerate(districts)
        for s in range(10)
    ]
    kinds = [AssistanceType.WARMTH_VISIT]
    fund = Fund.open(city.path, "送温暖", FundSource.ACFTU_WARMTH_FUND, 2026, kinds, ACTOR, DAY)
    fund.receive(uuid4(), households * max(AMOUNTS), "全总", "R-1", ACTOR, DAY)
    ledger.save(city, *districts, *streets, fund)
    vault = ledger.vault
    assert isinstance(vault, BulkVault)
    cases: list[UUID] = []
    batch: list[Aggregate] = []
    with progress_bar("households 困难户", households) as (bar, task):
        for n in range(households):
            person = Person(
                f"户主{n}",
                make_id_number("220104", date(1950, 1, 1) + timedelta(days=n // 1000), n % 1000),
                "13800000000",
            )
            ref, case_id = vault.person_ref(person.id_number), uuid4()
            sealed = vault.seal(case_id, person.as_dict())
            assessment = Assessment(Category.DEEP_HARDSHIP, Cause.SERIOUS_ILLNESS, (), 3, 0, ())
            street = streets[n % len(streets)]
            case = Case.register(case_id, street.path, assessment, sealed, ref, ACTOR, DAY)
            batch += [case, PersonIndex.claim_new(ref, case_id, ACTOR, DAY)]
            cases.append(case_id)
            if len(batch) >= 500 or n == households - 1:
                ledger.save(*batch)
                vault.flush()
                bar.advance(task, len(batch) // 2)
                batch = []
    return fund.id, cases


def roster_csv(cases: list[UUID], cards: bool) -> bytes:
    """The roster as finance staff would upload it: Chinese headers, one row per household."""
    lines = ["序号,档案编号,姓名,帮扶类型,金额（元）,银行卡号,业务日期"]
    for n, case_id in enumerate(cases, start=1):
        card = f"6222{n:015d}" if cards else ""
        amount = AMOUNTS[n % len(AMOUNTS)] // 100
        lines.append(f"{n},{case_id},户主{n - 1},送温暖慰问,{amount}.00,{card},{PAID_ON}")
    return ("\n".join(lines) + "\n").encode()


def copy_baseline(url: str, table: list[list[str]]) -> float:
    """Seconds to COPY the roster's rows (as text) into a plain table of the same database."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE roster_copy (row_no INTEGER, case_id UUID, name TEXT, kind TEXT, "
            "amount_fen BIGINT, bank_card TEXT, business_date DATE)"
        )
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy("COPY roster_copy FROM STDIN") as copy:
            for key, case_id, name, kind, amount, card, day in table[1:]:
                fen = int(amount.replace(".", ""))
                copy.write_row((int(key), case_id, name, kind, fen, card or None, day))
        return time.perf_counter() - started


def events_baseline(url: str, events_table: str, after: int) -> tuple[int, int, float]:
    """The event rows the import stored (after position ``after``): how many, their bytes, and
    the seconds to COPY the same rows into a table of the same columns and keys."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            f"SELECT originator_id, originator_version, topic, state, notification_id "
            f"FROM {events_table} WHERE notification_id > %s ORDER BY notification_id",
            (after,),
        ).fetchall()
        conn.execute(
            "CREATE TABLE events_copy (originator_id uuid NOT NULL, originator_version bigint "
            "NOT NULL, topic text, state bytea, notification_id bigint NOT NULL UNIQUE, "
            "PRIMARY KEY (originator_id, originator_version))"
        )
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy("COPY events_copy FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(["uuid", "int8", "text", "bytea", "int8"])
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - started
    return len(rows), sum(len(r[2]) + len(r[3]) + 32 for r in rows), seconds


def load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=Ledger.roster_chunk, help="rows a write")
    parser.add_argument("--no-cards", action="store_true", help="rows without bank cards")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args()
    url = fresh_database()
    ledger = Ledger(env=store_env(url))
    master = secrets.token_bytes(32)
    ledger.vault = BulkVault(SqlDatabase(ledger), lambda create: master)
    ledger.roster_chunk = args.chunk
    events_table = ledger.recorder.events_table_name  # type: ignore[attr-defined]
    try:
        fund_id, cases = prepare(ledger, args.rows)
        ledger.vault = Vault(SqlDatabase(ledger), lambda create: master)  # as the API has it
        data = roster_csv(cases, not args.no_cards)
        before = ledger.recorder.max_notification_id() or 0
        load_before = load_average()
        started, cpu = time.perf_counter(), time.process_time()
        table = read_table(data, "roster.csv")
        roster = parse_roster(table, "bench", fund_id, None)
        parsed = time.perf_counter()
        with progress_bar("花名册 import", args.rows) as (bar, task):
            report = ledger.import_roster(Context(SYSTEM), roster, lambda n: bar.advance(task, n))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        import_only = time.perf_counter() - parsed
        load_after = load_average()
        copy_seconds = copy_baseline(url, table)
        events, size, events_seconds = events_baseline(url, events_table, before)
        recorded = report.count(RowStatus.RECORDED)
        assert recorded == args.rows, [r.message for r in report.rows if r.problem][:3]
        fund = ledger.fund(SYSTEM, fund_id)
        assert fund.disbursed_fen == report.amount_fen(RowStatus.RECORDED)
    finally:
        ledger.close()
        drop_database()
    rate, copy_rate = args.rows / seconds, args.rows / copy_seconds
    cards = "" if args.no_cards else ", bank card on each"
    shown = [
        (f"rows (one household each{cards})", f"{args.rows:,}"),
        ("rows per write (chunk)", str(args.chunk)),
        ("load average (1/5/15 min) at the start / end", f"{load_before}  /  {load_after}"),
        ("read and check the CSV", f"{parsed - started:.2f} s"),
        ("import: check, pay" + ("" if args.no_cards else ", seal cards"), f"{import_only:.2f} s"),
        (
            "CPU time of the process, end to end",
            f"{cpu:.2f} s ({cpu / args.rows * 1e6:,.0f} µs a row)",
        ),
        ("events stored (per row)", f"{events:,} ({events / args.rows:.2f}), {size / 1e6:,.1f} MB"),
        ("roster import, end to end", f"{rate:,.0f} rows/s ({events / seconds:,.0f} events/s)"),
        ("baseline 1: COPY the same CSV rows", f"{copy_rate:,.0f} rows/s"),
        ("import / baseline 1 (goal ≥ 25%)", f"{rate / copy_rate:.3%}"),
        ("baseline 2: COPY the same event rows", f"{events / events_seconds:,.0f} events/s"),
        (
            "import / baseline 2 (time to COPY its events / its time)",
            f"{events_seconds / seconds:.2%}",
        ),
    ]
    out = Table(title="roster import (PostgreSQL)")
    out.add_column("what")
    out.add_column("figure", justify="right")
    for row in shown:
        out.add_row(*row)
    console.print(out)
    if args.no_results:
        return
    measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"# Roster import (PostgreSQL), {measured}", "", f"`{' '.join(sys.argv)}`", ""]
    lines += ["| what | figure |", "|---|---:|", *(f"| {w} | {f} |" for w, f in shown)]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
