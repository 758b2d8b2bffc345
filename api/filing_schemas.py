"""Request bodies of filing (申请 → 审核 → 入户核查 → 收入核对 → 公示 → 建档) and of a household's
changes (members, 转档), and their turning into the domain's parts (the CLI reads the same)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field, StrictBool

from api.schemas import Body, Line, Name, Text, YuanOrZero
from domain.households import Household, Member, MonthlyAmount, Person
from domain.policy_parameters import SchoolLevel
from domain.vocabulary import Category, Cause, Employment, HouseholdFlag

Day = Field(default=None, description="the business date (today in Asia/Shanghai if left out)")


class AmountIn(Body):
    """A monthly income or hardship cost of one kind, in yuan."""

    label: str = Field(min_length=1, max_length=100, examples=["工资", "养老金", "医疗自付"])
    amount: YuanOrZero


class ApplicantIn(Body):
    """The applicant (the worker): stored only encrypted under the household's own key."""

    name: Name
    id_number: str = Field(min_length=1, max_length=40, description="GB 11643, 18 characters")
    phone: str = Field(default="", max_length=40)
    bank_card: str = Field(default="", max_length=40)
    health: Text = ""


class MemberIn(Body):
    """A member of the household other than the applicant (personal, stored sealed)."""

    name: Name
    id_number: str = Field(min_length=1, max_length=40, description="GB 11643, 18 characters")
    relation: str = Field(min_length=1, max_length=40, examples=["配偶", "子女", "父母"])
    birth_date: date | None = Field(default=None, description="if given, the ID number's")
    employment: Employment
    school_level: SchoolLevel | None = None
    disability: Line = ""
    health: Text = ""


class ApplicationIn(Body):
    """An application for the archive (申请), recorded by its first receiver (首问责任人)."""

    centre_id: UUID
    applicant: ApplicantIn
    members: list[MemberIn] = Field(default_factory=list, max_length=29)
    incomes: list[AmountIn] = Field(default_factory=list, max_length=30)
    hardship_costs: list[AmountIn] = Field(default_factory=list, max_length=30)
    primary_cause: Cause
    secondary_causes: list[Cause] = Field(default_factory=list, max_length=3)
    flags: list[HouseholdFlag] = Field(default_factory=list, max_length=4)
    note: Text = ""
    business_date: date | None = Day


class ReviewIn(Body):
    note: Text = ""
    business_date: date | None = Day


class HomeVisitIn(Body):
    visitors: list[Name] = Field(min_length=1, max_length=50)
    findings: Text = Field(min_length=1)
    business_date: date | None = Day


class IncomeCheckIn(Body):
    """The incomes and costs as checked; a list left out stays as declared."""

    incomes: list[AmountIn] | None = Field(default=None, max_length=30)
    hardship_costs: list[AmountIn] | None = Field(default=None, max_length=30)
    note: Text = ""
    business_date: date | None = Day


class NoticeIn(Body):
    place: Name = Field(description="where the notice is posted, e.g. 社区公示栏")
    ends_on: date | None = Field(default=None, description="its last day (the policy's shortest)")
    business_date: date | None = Field(default=None, description="its first day (today)")


class ObjectionIn(Body):
    note: Text = Field(min_length=1, description="what the objection says (no names needed)")
    business_date: date | None = Day


class HandlingIn(Body):
    upheld: StrictBool = Field(
        description="true: the objection holds (the application cannot be filed)"
    )
    note: Text = Field(min_length=1, description="how it was checked and answered")
    business_date: date | None = Day


class FilingIn(Body):
    """建档; the category is computed unless given, and another one needs its reason."""

    category: Category | None = None
    override_reason: Line = ""
    business_date: date | None = Day


class RejectionIn(Body):
    reason: Name
    business_date: date | None = Day


class JoiningIn(MemberIn):
    note: Text = ""
    business_date: date | None = Day


class LeavingIn(Body):
    reason: Name
    business_date: date


class DeathIn(Body):
    note: Text = ""
    business_date: date


class TransferIn(Body):
    """转档 to another centre; the actor manages both."""

    to_centre_id: UUID
    note: Text = ""
    business_date: date | None = Day


def amounts(given: list[AmountIn], what: str) -> tuple[MonthlyAmount, ...]:
    return tuple(MonthlyAmount.checked(a.label, a.amount, what) for a in given)


def member_of(body: MemberIn) -> Member:
    return Member.checked(
        body.name,
        body.id_number,
        body.relation,
        body.employment,
        body.birth_date,
        body.school_level,
        body.disability,
        body.health,
    )


def household_of(body: ApplicationIn) -> Household:
    """The household an application declares, checked by the domain's rules."""
    a = body.applicant
    return Household(
        Person.checked(a.name, a.id_number, a.phone, a.bank_card, (), a.health),
        tuple(member_of(m) for m in body.members),
        amounts(body.incomes, "income"),
        amounts(body.hardship_costs, "hardship cost"),
        body.primary_cause,
        tuple(body.secondary_causes),
        tuple(body.flags),
    )
