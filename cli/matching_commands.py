"""`bangfu audit matching`: matching (财政配套) per centre, fiscal year and level, with what was
required, received and short, as GET /supervision/matching reports it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.base import console, fail, read_views
from cli.supervision_commands import audit_app
from domain.money import yuan
from domain.policy_parameters import MatchingLevel
from projections.matching import matching
from supervision.compliance import MATCH_SOURCES


def _ratio(text: str | None) -> tuple[int, int] | None:
    """ "central:match" as a pair (exit 2 if it is not one); None for the policy's share."""
    if text is None:
        return None
    a, _, b = text.partition(":")
    if not (a.isdigit() and b.isdigit() and len(a) <= 6 and len(b) <= 6):
        fail(f"{text!r} is not a ratio such as 1:1 (central : match)", 2)
    return (int(a) or 1, int(b))


@audit_app.command("matching")
def matching_report(
    centre: Annotated[
        str | None, typer.Option(help="a centre's subtree (the whole tree if unset)")
    ] = None,
    ratio: Annotated[
        str | None,
        typer.Option(help="central : match for every level, e.g. 1:1 (the policy's if unset)"),
    ] = None,
    year: Annotated[int | None, typer.Option(help="only this fiscal year")] = None,
    short_only: Annotated[bool, typer.Option(help="only the rows that fall short")] = False,
) -> None:
    """Matching per centre, fiscal year and level (省, 市, 县): each level matches the central
    money plus the upper levels' matching that arrived, up to what each owed, at the share in
    force at the centre on the year's last day (or --ratio)."""
    asked = _ratio(ratio)
    _, views, scope = read_views(centre)
    rows = [
        r
        for r in matching(views.matching, MATCH_SOURCES, scope, asked).items
        if (year is None or r["fiscal_year"] == year) and (r["shortfall_fen"] or not short_only)
    ]
    table = Table(title=f"Matching 配套资金到位情况 ({ratio or 'policy 现行政策'}): {len(rows)}")
    table.add_column("centre 中心")
    table.add_column("year 年度")
    table.add_column("level 配套层级")
    for column in ("central 中央资金", "ratio 比例", "to match 配套基数", "required 应配套",
                   "received 实际到位", "short 缺口"):  # fmt: skip
        table.add_column(column, justify="right")
    for r in rows:
        level = MatchingLevel(r["matching_level"])
        table.add_row(
            r["centre_name"], str(r["fiscal_year"]), f"{level.zh} {level.value}",
            yuan(r["central_received_fen"]), r["ratio"], yuan(r["base_fen"]),
            yuan(r["required_fen"]), yuan(r["received_fen"]), yuan(r["shortfall_fen"]),
        )  # fmt: skip
    console.print(table)
    short = sum(r["shortfall_fen"] for r in rows)
    console.print(f"Short in all 缺口合计: {yuan(short)}", highlight=False)
