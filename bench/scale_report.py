"""bench/scale.py's report: the figures each stage left in its data dir, as markdown tables.

    python -m bench.scale_report --data-dir /work/bench-data/10m [--data-dir ...]

Prints the tables; bench/RESULTS-scale.md is written from them (with what the run leaves out).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

TARGET_MS = 20.0
TARGET_RATIO = 0.25


def load(folder: Path, name: str) -> dict[str, Any] | None:
    path = folder / name
    return json.loads(path.read_text()) if path.exists() else None


def generation(state: dict[str, Any]) -> list[str]:
    rate = state["events"] / state["seconds"] if state["seconds"] else 0.0
    finished = state.get("finished_at")
    return [
        "| generation | figure |",
        "|---|---|",
        f"| events written | {state['events']:,} of ~{state['target_events']:,} |",
        f"| households written | {state['done']:,} of {state['households']:,} |",
        f"| time spent writing (all sessions) | {state['seconds']:,.0f} s |",
        f"| rate over that time | {rate:,.0f} events/s |",
        f"| finished | {finished or 'not yet (resumable)'} |",
        f"| load average at start / end | {state.get('load_average_start')} / "
        f"{state.get('load_average_end', 'n/a')} |",
    ]


def views(figures: dict[str, Any]) -> list[str]:
    decoded = figures["decoded_read"]
    lines = [
        f"Baseline in the same run: the whole log read raw at {figures['raw_read']['rate']:,.0f}"
        f"/s, decoded into events at {decoded['rate']:,.0f}/s ({decoded['events']:,} events). "
        f"Load average {figures['load_average_start']} at start, "
        f"{figures.get('load_average_end', 'n/a')} at end.",
        "",
        "| view rebuilt | events | seconds | events/s | x decoded read | meets 0.25x |",
        "|---|---|---|---|---|---|",
    ]
    for name, v in figures["views"].items():
        ok = "yes" if v["ratio_decoded"] >= TARGET_RATIO else "no"
        lines.append(
            f"| {name} | {v['applied']:,} | {v['seconds']:,.1f} | {v['rate']:,.0f} | "
            f"{v['ratio_decoded']:.2f} | {ok} |"
        )
    return lines


def queries(figures: dict[str, Any]) -> list[str]:
    lines = [
        f"{figures['samples']} requests each, one client, over HTTP to `bangfu serve` "
        f"(BANGFU_PROJECT_IN_PROCESS=false); load average {figures['load_average_start']} at "
        f"start, {figures['load_average_end']} at end.",
        "",
        "| query | p50 ms | p95 ms | p99 ms | p95 < 20 ms |",
        "|---|---|---|---|---|",
    ]
    for name, q in figures["queries"].items():
        ok = "yes" if q["p95"] < TARGET_MS else "no"
        lines.append(f"| {name} | {q['p50']:.1f} | {q['p95']:.1f} | {q['p99']:.1f} | {ok} |")
    rss = figures["rss_kib"]
    lines += [
        "",
        f"`bangfu serve` memory: {figures['rss_after_start_kib']['VmRSS'] / 1024:,.0f} MiB "
        f"resident after start; after every query {rss['VmRSS'] / 1024:,.0f} MiB, "
        f"peak (VmHWM) {rss['VmHWM'] / 1024:,.0f} MiB.",
    ]
    return lines


def report(folder: Path) -> list[str]:
    out = [f"### {folder}", ""]
    for name, render in (
        ("generate-state.json", generation),
        ("figures-views.json", views),
        ("figures-queries.json", queries),
    ):
        figures = load(folder, name)
        out += [*(render(figures) if figures else [f"({name}: not measured)"]), ""]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, action="append", required=True)
    args = parser.parse_args()
    for folder in args.data_dir:
        print("\n".join(report(folder)))


if __name__ == "__main__":
    main()
