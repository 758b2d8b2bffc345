"""The parameters of local policy (地方政策参数): what each means, its unit, what it may be set
for, the values it may take, and this city's figures as the fallback when none is recorded.

Standards differ by place and year (domain.md), so they are dated settings recorded as events
(domain/policy.py), never constants in the checks. The defaults below are what applies where no
centre on the path has recorded its own value: the city's figures the checks used before policy
was recorded, and the seeds' typical figures (living relief up to 12 or 8 months of the 低保 line
a year, accident aid up to ¥10,000, 金秋助学 ¥1,000-5,000 a student, matching 1:1 at each level,
medical relief above ¥20,000 to the province, 公示 about 7 days, a yearly review, exit after 6
months above the line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Self

from domain.clock import EARLIEST_BUSINESS_DATE
from domain.errors import InvalidAmountError, InvalidPolicyError
from domain.money import MAX_MOVEMENT_FEN, parse_yuan, yuan
from domain.vocabulary import AssistanceType, Category, CentreLevel, FundSource, Term


class Label(StrEnum):
    """A policy word stored in events, with its Chinese label beside it (``.zh``; a level's is
    its centre level's); the ledger's own vocabulary (domain/vocabulary.py) keeps its words
    apart."""

    _label: str

    def __new__(cls, value: str, zh: str = "") -> Self:
        word = str.__new__(cls, value)
        word._value_, word._label = value, zh
        return word

    @property
    def zh(self) -> str:
        return self._label or CentreLevel(self.value).zh


class SchoolLevel(Label):
    """A student's school level, by which 金秋助学 is paid."""

    SENIOR_SECONDARY = "senior_secondary", "高中（含中职）"
    VOCATIONAL_COLLEGE = "vocational_college", "高职/大专"
    UNDERGRADUATE = "undergraduate", "本科"
    POSTGRADUATE = "postgraduate", "研究生"


class FilingStep(Label):
    """A step of filing a case (审核, 入户核查, 收入核对, 建档) that has a time limit."""

    APPLICATION_REVIEW = "application_review", "审核"
    HOME_VISIT = "home_visit", "入户核查"
    INCOME_CHECK = "income_check", "收入核对"
    FILING = "filing", "建档"


class MatchingLevel(Label):
    """A level of government that matches central money (省/市/县 财政配套)."""

    PROVINCE = CentreLevel.PROVINCE.value
    PREFECTURE = CentreLevel.PREFECTURE.value
    COUNTY = CentreLevel.COUNTY.value


MATCHER_LEVEL: dict[str, str] = {
    FundSource.PROVINCIAL_MATCH.value: MatchingLevel.PROVINCE.value,
    FundSource.MUNICIPAL_MATCH.value: MatchingLevel.PREFECTURE.value,
    FundSource.COUNTY_MATCH.value: MatchingLevel.COUNTY.value,
}
"""The level of government each matching source stands for: its share is set per level."""


class Unit(Enum):
    """How a value is written: yuan (kept in fen), whole months, whole days, or percent."""

    YUAN = ("yuan", "元")
    MONTHS = ("months", "个月")
    DAYS = ("days", "天")
    PERCENT = ("percent", "%")

    @property
    def en(self) -> str:
        return self.value[0]

    @property
    def zh(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Spec:
    """One parameter: labels, unit, the vocabulary of what it is set for, bounds, defaults."""

    zh: str
    en: str
    unit: Unit
    subjects: type[Term] | type[Label] | None
    low: int
    high: int
    defaults: tuple[tuple[str | None, date, int], ...]  # (subject, since, value)


_EVER = EARLIEST_BUSINESS_DATE
_MONEY = MAX_MOVEMENT_FEN
_DEEP, _RELATIVE = Category.DEEP_HARDSHIP.value, Category.RELATIVE_HARDSHIP.value


class Parameter(Label):
    """A policy parameter, as stored in events."""

    DIBAO_LINE = "dibao_line"
    LIVING_RELIEF_MONTHS = "living_relief_months"
    LIVING_SUBSIDY_MONTHLY = "living_subsidy_monthly"
    MEDICAL_RELIEF_SHARE = "medical_relief_share"
    ACCIDENT_AID_CAP = "accident_aid_cap"
    EDUCATION_AID_CAP = "education_aid_cap"
    GOLDEN_AUTUMN_AMOUNT = "golden_autumn_amount"
    MATCHING_RATIO = "matching_ratio"
    APPROVAL_ABOVE = "approval_above"
    ESCALATE_TO_PARENT_ABOVE = "escalate_to_parent_above"
    ESCALATE_TO_PROVINCE_ABOVE = "escalate_to_province_above"
    STEP_LIMIT_DAYS = "step_limit_days"
    PUBLIC_NOTICE_DAYS = "public_notice_days"
    ANNUAL_REVIEW_MONTHS = "annual_review_months"
    EXIT_MONTHS = "exit_months"
    REPEAT_WINDOW_DAYS = "repeat_window_days"
    LATE_RECORDING_DAYS = "late_recording_days"
    REQUEST_EXPIRY_DAYS = "request_expiry_days"

    @property
    def spec(self) -> Spec:
        return SPECS[self]

    @property
    def zh(self) -> str:
        return SPECS[self].zh


P = Parameter
SPECS: dict[Parameter, Spec] = {
    P.DIBAO_LINE: Spec(
        "低保标准（元/人·月）", "Dibao line (yuan per person a month)", Unit.YUAN, None,
        1, 10_000_000, ((None, date(2020, 1, 1), 70_000), (None, date(2025, 1, 1), 79_000)),
    ),
    P.LIVING_RELIEF_MONTHS: Spec(
        "生活救助年度上限（低保标准的月数）", "Living relief a year (months of the dibao line)",
        Unit.MONTHS, Category, 0, 12, ((_DEEP, _EVER, 12), (_RELATIVE, _EVER, 8)),
    ),
    P.LIVING_SUBSIDY_MONTHLY: Spec(  # a recurring subsidy's month; 0: none without a reason
        "定期生活补助月标准（元/户·月）", "Regular living subsidy a month (yuan a household)",
        Unit.YUAN, Category, 0, _MONEY,
        ((_DEEP, _EVER, 50_000), (_RELATIVE, _EVER, 30_000),
         (Category.ACCIDENT_INDUCED.value, _EVER, 30_000),
         (Category.BORDERLINE.value, _EVER, 15_000)),
    ),
    P.MEDICAL_RELIEF_SHARE: Spec(
        "医疗救助比例（个人自付部分）", "Medical relief (share of the patient's own part)",
        Unit.PERCENT, Category, 0, 100, ((_DEEP, _EVER, 100), (_RELATIVE, _EVER, 80)),
    ),
    P.ACCIDENT_AID_CAP: Spec(
        "意外致困救助年度上限（元）", "Accident aid a year, at most (yuan)", Unit.YUAN, None,
        1, _MONEY, ((None, _EVER, 1_000_000),),
    ),
    P.EDUCATION_AID_CAP: Spec(
        "助学每次上限（元/人）", "Education aid a payment, at most (yuan a student)", Unit.YUAN,
        None, 1, _MONEY, ((None, _EVER, 1_000_000),),
    ),
    P.GOLDEN_AUTUMN_AMOUNT: Spec(
        "金秋助学标准（元/人）", "Golden Autumn education aid (yuan a student)", Unit.YUAN,
        SchoolLevel, 1, _MONEY,
        (("senior_secondary", _EVER, 100_000), ("vocational_college", _EVER, 200_000),
         ("undergraduate", _EVER, 300_000), ("postgraduate", _EVER, 500_000)),
    ),
    P.MATCHING_RATIO: Spec(
        "财政配套比例（占应配套基数）", "Matching required (share of the base to match)",
        Unit.PERCENT,
        MatchingLevel, 0, 1000,
        (("province", _EVER, 100), ("prefecture", _EVER, 100), ("county", _EVER, 100)),
    ),
    P.APPROVAL_ABOVE: Spec(  # no default: until a centre sets it, one person may pay any amount
        "支付需审批（高于，元）", "A payment above this needs approval (yuan)", Unit.YUAN, None,
        0, _MONEY, (),
    ),
    P.ESCALATE_TO_PARENT_ABOVE: Spec(
        "报上级中心审批（高于，元）", "Above this the parent centre approves (yuan)", Unit.YUAN,
        None, 0, _MONEY, ((None, _EVER, 1_000_000),),
    ),
    P.ESCALATE_TO_PROVINCE_ABOVE: Spec(
        "报省级审批（高于，元）", "Above this the province approves (yuan)", Unit.YUAN,
        AssistanceType, 0, _MONEY, (("medical_relief", _EVER, 2_000_000),),
    ),
    P.STEP_LIMIT_DAYS: Spec(
        "建档环节时限（天）", "Time limit of a filing step (days)", Unit.DAYS, FilingStep, 1, 365,
        (("application_review", _EVER, 10), ("home_visit", _EVER, 15),
         ("income_check", _EVER, 15), ("filing", _EVER, 5)),
    ),
    P.PUBLIC_NOTICE_DAYS: Spec(
        "公示期（天）", "Public notice period (days)", Unit.DAYS, None, 1, 60, ((None, _EVER, 7),)
    ),
    P.ANNUAL_REVIEW_MONTHS: Spec(
        "复核间隔（月）", "Review interval (months)", Unit.MONTHS, None, 1, 36,
        ((None, _EVER, 12),),
    ),
    P.EXIT_MONTHS: Spec(
        "脱困认定（收入连续高于低保标准的月数）", "Exit after months of income above the line",
        Unit.MONTHS, None, 1, 36, ((None, _EVER, 6),),
    ),
    P.REPEAT_WINDOW_DAYS: Spec(
        "重复支付窗口（天）", "Repeat payment window (days)", Unit.DAYS, None, 0, 3660,
        ((None, _EVER, 30),),
    ),
    P.LATE_RECORDING_DAYS: Spec(
        "补录期限（天）", "Recorded late after (days)", Unit.DAYS, None, 0, 36600,
        ((None, _EVER, 30),),
    ),
    P.REQUEST_EXPIRY_DAYS: Spec(
        "支付申请审批期限（天）", "A payment request may be approved for (days)", Unit.DAYS,
        None, 1, 365, ((None, _EVER, 30),),
    ),
}  # fmt: skip


def parameter(name: str) -> Parameter:
    """The parameter of this name, or InvalidPolicyError naming the known ones."""
    try:
        return Parameter(name)
    except ValueError:
        known = ", ".join(p.value for p in Parameter)
        raise InvalidPolicyError(
            f"{name[:60]!r} is not a policy parameter; one of {known}"
        ) from None


def subject_of(param: Parameter, subject: str | None) -> str | None:
    """The subject checked against the parameter's vocabulary (None when it takes none)."""
    subjects = param.spec.subjects
    if subjects is None:
        if subject:
            raise InvalidPolicyError(f"{param.value} is set for no subject, not {subject[:60]!r}")
        return None
    allowed = [s.value for s in subjects]
    if subject not in allowed:
        kind = re.sub(r"(?<!^)(?=[A-Z])", " ", subjects.__name__).lower()
        raise InvalidPolicyError(f"{param.value} is set per {kind}: one of {', '.join(allowed)}")
    return subject


def checked_value(param: Parameter, value: int) -> int:
    """A value within the parameter's bounds (whole fen, months, days or percent)."""
    spec = param.spec
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidPolicyError(f"the value of {param.value} must be a whole number")
    if not spec.low <= value <= spec.high:
        raise InvalidPolicyError(
            f"{param.value} is from {shown(param, spec.low)} to {shown(param, spec.high)} "
            f"{spec.unit.en}, not {shown(param, value)}"
        )
    return value


_WHOLE = re.compile(r"[0-9]{1,9}")


def parse_value(param: Parameter, text: str) -> int:
    """A value as people write it: yuan ("790.00") for money, else a whole number ("12")."""
    if not isinstance(text, str):
        raise InvalidPolicyError(f'the value of {param.value} is written as text, e.g. "12"')
    if param.spec.unit is Unit.YUAN:
        try:
            return checked_value(param, parse_yuan(text, allow_zero=True))
        except InvalidAmountError as e:
            raise InvalidPolicyError(f"the value of {param.value}: {e.detail}") from None
    if not _WHOLE.fullmatch(text):
        raise InvalidPolicyError(
            f"the value of {param.value} is a whole number of {param.spec.unit.en}, "
            f"not {text[:40]!r}"
        )
    return checked_value(param, int(text))


def shown(param: Parameter, value: int) -> str:
    """A value as people read it: yuan for money ("790.00"), else the number ("12")."""
    return yuan(value) if param.spec.unit is Unit.YUAN else str(value)
