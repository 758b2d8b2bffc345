"""Standards a payment must stay within, by the local policy in force at its household's centre
(domain/policy.py): one payment's (education aid) or a year's (living relief, accident aid)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.money import yuan
from domain.policy import PolicyBook
from domain.policy_parameters import Parameter
from domain.vocabulary import AssistanceType, Category


def standard(
    book: PolicyBook, kind: AssistanceType, category: str, path: Sequence[str], on: date
) -> tuple[int | None, bool]:
    """The most a household may be paid of a kind by the policy in force at its centre, and
    whether that is a year's total (living relief: months of the 低保 line for its category;
    accident aid) rather than one payment's (education aid); None where no standard applies."""
    if kind is AssistanceType.EDUCATION_AID:
        return book.value(Parameter.EDUCATION_AID_CAP, None, path, on), False
    if kind is AssistanceType.LIVING_RELIEF:
        months = book.value(Parameter.LIVING_RELIEF_MONTHS, category, path, on)
        line = book.value(Parameter.DIBAO_LINE, None, path, on)
        return (months * line if months is not None and line is not None else None), True
    if kind is AssistanceType.TEMPORARY_RELIEF and category == Category.ACCIDENT_INDUCED:
        return book.value(Parameter.ACCIDENT_AID_CAP, None, path, on), True
    return None, False


def over_standard(amount_fen: int, cap: int, yearly: bool) -> str:
    """What a refusal for the standard says."""
    per = "本年度合计 this year in this roster" if yearly else "每次 a payment"
    return f"{yuan(amount_fen)} 元超过标准 is above the standard of {yuan(cap)} ({per})"
