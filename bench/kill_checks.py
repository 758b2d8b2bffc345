"""The checks after a run that killed servers under load (bench/kill_under_load.py,
bench/chaos.py): every acknowledged payment exists exactly once, the fund's total is the
acknowledged count x ¥10.00, `bangfu verify` passes, and the views equal a rebuild."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench import write_path as wp
from bench.load_clients import Request
from bench.write_path import (
    AMOUNT,
    AMOUNT_FEN,
    RECEIVED,
    Client,
    HotFund,
    Phase,
    check_exactly_once,
    fen,
    payments_in_trail,
    wait_for_views,
)
from domain.funds import Fund
from projections import Views
from stores import open_ledger


@dataclass
class Figures:
    requests: int = 0
    sends: int = 0
    acknowledged: int = 0
    cut_off: int = 0  # sends that got no answer
    retried: int = 0  # requests sent more than once
    replayed: int = 0  # 201 answers marked replayed: committed before a kill, answer lost
    paid_on_retry: int = 0  # retried, and paid by a later send (the first never committed)
    other_answers: Counter[str] = field(default_factory=Counter)  # answers other than 201
    refused: int = 0  # requests refused for good (4xx)
    unanswered: int = 0  # requests never acknowledged nor refused
    lost: int = 0  # acknowledged payments not found (GET, trail or movements)
    lost_detail: Counter[str] = field(default_factory=Counter)
    wrong_replay: int = 0  # answered 'replayed' with an id that is not its reference's payment
    doubled_trail: int = 0  # extra payments of a reference, in the audit trail
    doubled_movements: int = 0  # extra disbursements of a reference, in the fund's movements
    unacknowledged_paid: int = 0  # payments stored for requests never acknowledged
    strangers: int = 0  # payments of the fund with a reference no request used
    disbursed_ok: bool = False
    disbursed: str = ""
    verify_ok: bool = False
    verify_text: str = ""
    checkpoints: int = 0  # signed checkpoints `bangfu verify` checked
    views_equal: bool = False
    views_detail: list[str] = field(default_factory=list)
    applied_after_stop: int = 0  # events the views had not applied when the last server stopped
    exactly_once_lines: list[str] = field(default_factory=list)  # write_path's own check

    @property
    def doubled(self) -> int:
        return max(self.doubled_trail, self.doubled_movements)

    @property
    def passed(self) -> bool:
        return (
            self.lost == 0
            and self.doubled == 0
            and self.wrong_replay == 0
            and self.unacknowledged_paid == 0
            and self.strangers == 0
            and self.refused == 0
            and self.unanswered == 0
            and self.disbursed_ok
            and self.verify_ok
            and self.views_equal
            and all(line.startswith("ok") for line in self.exactly_once_lines)
        )


def count_requests(requests: list[Request], figures: Figures) -> None:
    figures.requests = len(requests)
    for r in requests:
        figures.sends += r.sends
        figures.cut_off += r.cut_off
        figures.other_answers.update(r.statuses)
        retried = r.sends > 1
        figures.retried += retried
        if r.acked_id is not None:
            figures.acknowledged += 1
            figures.replayed += r.replayed
            figures.paid_on_retry += retried and not r.replayed
        elif r.refused is not None:
            figures.refused += 1
        else:
            figures.unanswered += 1


def check_payments(
    admin: Client, auditor: Client, hot: HotFund, requests: list[Request], figures: Figures
) -> None:
    """With the last server up: every acknowledged payment exists, once."""
    wait_for_views(auditor)
    trail = payments_in_trail(auditor, hot)  # payment id -> reference
    trail_refs = Counter(trail.values())
    moved = admin.ok("GET", f"/funds/{hot.fund_id}/movements")
    paid_refs = Counter(m["reference"] for m in moved if m["type"] == Fund.Disbursed.__name__)
    acked = [r for r in requests if r.acked_id is not None]
    for r in acked:
        status, answer = admin.call("GET", f"/payments/{r.acked_id}")
        found = (
            status == 200
            and answer["reference"] == r.reference
            and answer["fund_id"] == hot.fund_id
        )
        missing = [
            what
            for what, ok in (
                ("GET /payments/{id}", found),
                ("audit trail", trail.get(str(r.acked_id)) == r.reference),
                ("fund movements", paid_refs[r.reference] > 0),
            )
            if not ok
        ]
        figures.lost += bool(missing)
        figures.lost_detail.update(missing)
        figures.wrong_replay += r.replayed and trail.get(str(r.acked_id)) != r.reference
    figures.doubled_trail = sum(n - 1 for n in trail_refs.values())
    figures.doubled_movements = sum(n - 1 for n in paid_refs.values())
    ours = {r.reference for r in requests}
    acked_refs = {r.reference for r in acked}
    figures.unacknowledged_paid = len((trail_refs.keys() | paid_refs.keys()) & ours - acked_refs)
    figures.strangers = len((trail_refs.keys() | paid_refs.keys()) - ours)
    fund = admin.ok("GET", f"/funds/{hot.fund_id}")
    disbursed = fen(fund["disbursed"])
    figures.disbursed = (
        f"¥{fund['disbursed']} = {len(acked):,} x ¥{AMOUNT} "
        f"({len(trail):,} payments in the trail, {sum(paid_refs.values()):,} in the movements); "
        f"balance ¥{fund['balance']}"
    )
    figures.disbursed_ok = (
        disbursed == AMOUNT_FEN * len(acked) == AMOUNT_FEN * len(trail)
        and fen(fund["balance"]) == fen(RECEIVED) - disbursed
        and (not moved or fen(moved[-1]["balance_after"]) == fen(fund["balance"]))
    )
    phase = Phase("all rounds", 0, ids=[str(r.acked_id) for r in acked])
    phase.in_flight_at_stop = figures.requests - len(acked)
    figures.exactly_once_lines = check_exactly_once(admin, auditor, hot, [phase]).lines


def verify_chain(data_dir: Path, figures: Figures) -> None:
    """``bangfu verify`` (with no server running): the hash chain and signed checkpoints."""
    done = wp.run_bangfu(data_dir, "verify", timeout=600)
    figures.verify_ok = done.returncode == 0
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    figures.verify_text = " ".join(lines[-2:]) if lines else done.stderr.strip()[-300:]
    checked = re.search(r"(\d+)\s+signed\s+checkpoints", " ".join(done.stdout.split()))
    figures.checkpoints = int(checked.group(1)) if checked else 0


def view_contents(views: Views) -> dict[str, dict[str, list[tuple[str, ...]]]]:
    """Every row of every table of each view's current generation, in a stable order (as
    tests/integration/test_projections.py compares them)."""
    out = {}
    for view in views.projector.views:
        g = view.generation()
        out[view.name] = {
            base: sorted(
                tuple(str(v) for v in row.values())
                for row in view.db.query(f"SELECT * FROM {view.table(base, g)}")
            )
            for base in view.tables
        }
    return out


def compare_views(data_dir: Path, store_url: str, figures: Figures) -> None:
    """With no server running: the views as the servers left them (brought to the head of
    the log) against the same views rebuilt from the whole log."""
    ledger = open_ledger(store_url, master_key_file=data_dir / "master.key")
    try:
        views = Views(ledger)
        figures.applied_after_stop = views.projector.run_once()
        incremental = view_contents(views)
        for view in views.projector.views:
            views.projector.rebuild(view.name)
        rebuilt = view_contents(views)
    finally:
        ledger.close()
    figures.views_equal = incremental == rebuilt
    for name, tables in incremental.items():
        for base, rows in tables.items():
            again = rebuilt[name][base]
            if rows == again:
                figures.views_detail.append(f"{name}.{base}: {len(rows):,} rows, equal")
                continue
            only_inc, only_reb = Counter(rows) - Counter(again), Counter(again) - Counter(rows)
            figures.views_detail.append(
                f"{name}.{base}: {len(rows):,} rows built as events came, {len(again):,} "
                f"rebuilt; {only_inc.total()} only in the first, e.g. "
                f"{list(only_inc)[:2]}; {only_reb.total()} only in the rebuild, e.g. "
                f"{list(only_reb)[:2]}"
            )


def check_the_log(data_dir: Path, store_url: str, figures: Figures) -> None:
    """With no process on the store: `bangfu verify`, and the views against a rebuild, at
    the same time (both only read the log)."""
    with ThreadPoolExecutor(1) as pool:
        verified = pool.submit(verify_chain, data_dir, figures)
        compare_views(data_dir, store_url, figures)
        verified.result()


def check_rows(f: Figures) -> list[tuple[str, str]]:
    """The figures of the checks, as (what, figure) rows of a report."""
    others = "; ".join(f"{n} x {k}" for k, n in sorted(f.other_answers.items())) or "none"
    lost = f"{f.lost}" + (
        " (" + ", ".join(f"{n} not in {k}" for k, n in sorted(f.lost_detail.items())) + ")"
        if f.lost
        else ""
    )
    return [
        ("requests (each its own reference and Idempotency-Key)", f"{f.requests:,}"),
        ("sends (first sends and re-sends)", f"{f.sends:,}"),
        ("acknowledged (201)", f"{f.acknowledged:,}"),
        ("sends cut off (no answer)", f"{f.cut_off:,}"),
        ("answers other than 201", others),
        ("retried (requests sent more than once)", f"{f.retried:,}"),
        ("  of which replayed (committed before the kill, answer lost)", f"{f.replayed:,}"),
        ("  of which paid on a re-send (never committed before)", f"{f.paid_on_retry:,}"),
        ("never acknowledged / refused for good", f"{f.unanswered} / {f.refused}"),
        ("lost (acknowledged, not found)", lost),
        (
            "doubled (a reference paid twice: trail / movements)",
            f"{f.doubled_trail} / {f.doubled_movements}",
        ),
        ("replayed with another payment's id", f"{f.wrong_replay}"),
        ("paid without ever being acknowledged", f"{f.unacknowledged_paid}"),
        ("disbursed total", f"{'ok' if f.disbursed_ok else 'WRONG'}: {f.disbursed}"),
        (
            "bangfu verify",
            f"{'passed' if f.verify_ok else 'FAILED'} ({f.checkpoints} signed checkpoints): "
            f"{f.verify_text}",
        ),
        (
            "views == rebuild",
            f"{'yes' if f.views_equal else 'NO'} ({f.applied_after_stop} events applied "
            "after the last server stopped)",
        ),
    ]


def check_lines(f: Figures) -> list[str]:
    """The detail of the checks, as list items of a report."""
    return [f"- write_path's exactly-once check: {line}" for line in f.exactly_once_lines] + [
        f"- views: {line}" for line in f.views_detail
    ]


def check_with_server(
    port: int, tokens: dict[str, str], hot: HotFund, requests: list[Request], figures: Figures
) -> None:
    """With the last server up: count the answers, then check every acknowledged payment."""
    count_requests(requests, figures)
    admin, auditor = Client(port, tokens["admin"]), Client(port, tokens["auditor"])
    try:
        check_payments(admin, auditor, hot, requests, figures)
        wait_for_views(auditor)  # the checks' own reads are events too
    finally:
        admin.close()
        auditor.close()
