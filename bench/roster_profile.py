"""Where a roster import's time goes: py-spy's samples of a run of bench/roster_import.py, by part,
as microseconds of CPU a row.

    py-spy record -r 100 --threads -f raw -o /tmp/roster.raw -- \\
        python -m bench.roster_import --rows 20000 --no-results
    python -m bench.roster_profile /tmp/roster.raw --rows 20000 --cpu-seconds 23.1 [--append]

``--cpu-seconds``: the CPU time the bench printed for that run. Each sample inside the import is
put in the first part whose function is on its stack; a part's share of those samples, times the
run's CPU time a row, is its microseconds a row. Samples waiting (a lock, the database) are left
out, so that the shares are of the time the process ran Python. ``--append`` adds the table to
bench/RESULTS-roster-import.md.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS-roster-import.md")
PARTS = [
    ("read: decode the households' streams", ["BulkReads._load_many"]),
    (
        "read: seal the cards (AES-GCM, keys in one query)",
        ["Vault.seal_many", "RosterReads._sealed"],
    ),
    ("read: policy of each centre path (once a path)", ["PolicyUseCases.policy_book"]),
    ("read: the rest of the look-up", ["RosterReads._look_up"]),
    ("check: pay() = 3 events (case, fund, payment)", ["pay"]),
    ("check: the bank account event", ["RosterUseCases._try_account"]),
    ("check: the row's other rules", ["RosterUseCases._check_row"]),
    ("save: encode the events (JSON)", ["Mapper.to_stored_event"]),
    ("save: COPY events and chain links", ["BulkPostgresRecorder.insert_events"]),
    ("save: snapshots", ["Ledger._take_snapshots"]),
    ("save: group commit, recordings", ["LedgerCore._commit"]),
    ("read and check the CSV", ["parse_roster", "read_table"]),
    ("the rest of the import", ["RosterUseCases._run_roster"]),
]
WAITING = ("Condition.wait", "Connection.wait", "Lock.acquire", "Event.wait")
INSIDE = ("RosterUseCases._run_roster", "RosterReads._look_up", "parse_roster", "read_table")


def parts(raw: Path) -> Counter[str]:
    counted: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        names = [frame.split(" (")[0] for frame in stack.split(";")]
        if not any(i in names for i in INSIDE) or names[-1].endswith(WAITING):
            continue
        label = next((p for p, marks in PARTS if any(m in names for m in marks)), "other")
        counted[label] += int(n)
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path, help="py-spy's output (-f raw)")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=float, required=True)
    parser.add_argument("--append", action="store_true")
    args = parser.parse_args()
    counted = parts(args.raw)
    total = sum(counted.values())
    per_row = args.cpu_seconds / args.rows * 1e6
    lines = [
        "",
        f"## Where the time goes ({args.rows:,} rows, {per_row:,.0f} µs of CPU a row)",
        "",
        "| part | share | µs a row |",
        "|---|---:|---:|",
    ]
    for label, _ in [*PARTS, ("other", [])]:
        share = counted[label] / total if total else 0.0
        lines.append(f"| {label} | {share:.1%} | {share * per_row:,.0f} |")
    print("\n".join(lines))
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
