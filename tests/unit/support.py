"""What the unit tests of a household share."""

from __future__ import annotations

from domain.cases import Assessment
from domain.vocabulary import Category, Cause, HouseholdFlag


def assessment(**changes: object) -> Assessment:
    """A deep-hardship household of three, ill and laid off, with ``changes``."""
    fields: dict[str, object] = {
        "category": Category.DEEP_HARDSHIP,
        "primary_cause": Cause.SERIOUS_ILLNESS,
        "secondary_causes": (Cause.LAID_OFF_UNEMPLOYED,),
        "household_size": 3,
        "income_fen": 650_00,
        "flags": (HouseholdFlag.SINGLE_PARENT,),
    }
    return Assessment(**(fields | changes))  # type: ignore[arg-type]
