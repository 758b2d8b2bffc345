"""The hardship category a household's figures give against the 低保 line in force (分类).

The rule of ../shared/domain.md and the seeds, in the order it is applied:
- 深度困难 deep hardship: per-capita monthly income below the line;
- 相对困难 relative hardship: below twice the line;
- 意外致困 accident-induced: the household's hardship costs (medical, disaster, accident) above
  80% of its income over the same period;
- 边缘 borderline otherwise.
All amounts are integer fen; the comparison of costs with income is done in integers.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import CategoryOverrideError
from domain.text import checked
from domain.vocabulary import Category

ACCIDENT_SHARE = (4, 5)  # hardship costs above 4/5 of income: accident-induced


@dataclass(frozen=True)
class Figures:
    """A household's monthly figures, in fen, and its size."""

    household_size: int
    income_fen: int  # the whole household's monthly income
    hardship_costs_fen: int = 0  # its monthly hardship costs (medical, disaster, accident)

    @property
    def per_capita_fen(self) -> int:
        """Monthly income a head, rounded down to the fen."""
        return self.income_fen // max(self.household_size, 1)


def category_for(figures: Figures, line_fen: int) -> Category:
    """The category the figures give against the 低保 line (fen a head a month)."""
    if figures.per_capita_fen < line_fen:
        return Category.DEEP_HARDSHIP
    if figures.per_capita_fen < 2 * line_fen:
        return Category.RELATIVE_HARDSHIP
    share, whole = ACCIDENT_SHARE
    if figures.hardship_costs_fen * whole > figures.income_fen * share:
        return Category.ACCIDENT_INDUCED
    return Category.BORDERLINE


def above_line(figures: Figures, line_fen: int) -> bool:
    """Whether per-capita income is above the line (a month towards exit, 脱困)."""
    return figures.per_capita_fen > line_fen


def decided(computed: Category, asked: Category | None, reason: str) -> tuple[Category, str]:
    """The category a review records and the reason for an override (empty when none): the
    computed one, or the one asked for when it differs and the reason says why."""
    reason = checked(reason, "the reason for the override")
    if asked is None or asked is computed:
        if reason:
            raise CategoryOverrideError(
                f"the figures give {computed.value} ({computed.zh}) as asked: there is nothing "
                "to override, so leave the reason out"
            )
        return computed, ""
    if not reason:
        raise CategoryOverrideError(
            f"the figures give {computed.value} ({computed.zh}); recording {asked.value} "
            f"({asked.zh}) instead needs the reason for the override"
        )
    return asked, reason
