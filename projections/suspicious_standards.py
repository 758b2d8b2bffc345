"""The policy standards a check of suspicious payments applies, as SQL over the suspicious
view's yearly totals: dated 低保 lines, months of them per category, and caps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from domain.vocabulary import AssistanceType, Category

EDUCATION = AssistanceType.EDUCATION_AID.value
LIVING = AssistanceType.LIVING_RELIEF.value
TEMPORARY = AssistanceType.TEMPORARY_RELIEF.value
ACCIDENT = Category.ACCIDENT_INDUCED.value


class Policy(Protocol):
    """The standards a request brings (``supervision.compliance.Standards`` fits)."""

    @property
    def dibao_lines_fen(self) -> Sequence[tuple[str, int]]: ...
    @property
    def living_relief_months(self) -> Mapping[str, int]: ...
    @property
    def accident_aid_cap_fen(self) -> int: ...
    @property
    def education_aid_cap_fen(self) -> int: ...
    @property
    def repeat_window_days(self) -> int: ...
    @property
    def late_recording_days(self) -> int: ...


def standard_sql(std: Policy) -> tuple[str, list[Any], int]:
    """A yearly row's standard in SQL: for living relief, the months its category may get
    of the 低保 line in force at the year's end; for temporary relief of accident-induced
    hardship, the accident cap; else NULL. Also a floor no standard is below."""
    months = sorted(std.living_relief_months.items())
    lines = sorted(std.dibao_lines_fen, reverse=True)
    floors = [std.accident_aid_cap_fen]
    living, params = "NULL", []
    if months and lines:
        living = (
            "(CASE y.category "
            + "WHEN %s THEN %s " * len(months)
            + "END) * (CASE "
            + "WHEN y.year >= %s THEN %s " * len(lines)
            + "END)"
        )
        params = [v for m in months for v in m]
        params += [v for since, fen in lines for v in (int(since[:4]), fen)]
        floors.append(min(m for _, m in months) * min(fen for _, fen in lines))
    return (
        f"CASE WHEN y.assistance_type = %s THEN {living} WHEN y.category = %s THEN %s END",
        [LIVING, *params, ACCIDENT, std.accident_aid_cap_fen],
        min(floors),
    )
