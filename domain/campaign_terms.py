"""The words and rules a campaign is opened with: what its payments may be for, what its
standards are set for, why a household was not reached, and the checks of a campaign's plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from domain.errors import InvalidCampaignError, PurposeNotAllowedError
from domain.money import MAX_FUND_TOTAL_FEN, MAX_MOVEMENT_FEN, require_positive
from domain.policy_parameters import Label, SchoolLevel
from domain.text import checked_note
from domain.vocabulary import AssistanceType, CampaignKind, Category

if TYPE_CHECKING:
    from domain.centres import Centre
    from domain.funds import Fund

MAX_WINDOW = timedelta(days=366)
MAX_FUNDS = 20

KIND_TYPES: dict[CampaignKind, tuple[AssistanceType, ...]] = {
    CampaignKind.SPRING_FESTIVAL_WARMTH: (AssistanceType.WARMTH_VISIT,),
    CampaignKind.GOLDEN_AUTUMN_EDUCATION: (AssistanceType.EDUCATION_AID,),
    CampaignKind.SUMMER_COOLING: (AssistanceType.SUMMER_COOLING,),
    CampaignKind.SPRING_BREEZE_JOBS: (
        AssistanceType.JOB_PLACEMENT,
        AssistanceType.VOCATIONAL_TRAINING,
        AssistanceType.ENTREPRENEURSHIP_SUPPORT,
    ),
}
"""What a campaign's payments may be for; the first is the one paid when none is named."""


class ExceptionReason(Label):
    """Why a household on the roster was not reached (or needs no visit)."""

    REFUSED = "refused", "本人谢绝"
    MOVED_AWAY = "moved_away", "已迁离"
    UNREACHABLE = "unreachable", "联系不上"
    HOSPITALISED = "hospitalised", "住院"
    DECEASED = "deceased", "已故"
    OTHER = "other", "其他"


@dataclass(frozen=True)
class Excuse:
    """A reason a household was not reached, and a note (required for ``other``)."""

    reason: ExceptionReason
    note: str = ""

    def checked(self) -> Excuse:
        reason, note = ExceptionReason(self.reason), checked_note(self.note)
        if reason is ExceptionReason.OTHER and not note:
            raise InvalidCampaignError("the reason 'other' (其他) needs a note saying what it is")
        return Excuse(reason, note)


def campaign_payment_id(campaign_id: UUID, number: int) -> UUID:
    """The id of a campaign's ``number``-th payment (from 1): the campaign finds its payments
    from its own count."""
    return uuid5(campaign_id, f"payment {number}")


def standard_subjects(kind: CampaignKind) -> list[str]:
    """What a standard is set for: school levels for 金秋助学 (a student), else categories."""
    if kind is CampaignKind.GOLDEN_AUTUMN_EDUCATION:
        return [s.value for s in SchoolLevel]
    return [c.value for c in Category]


def paid_for(kind: CampaignKind, asked: AssistanceType | None) -> AssistanceType:
    """The assistance type of a campaign's payment: the one asked if the kind allows it."""
    allowed = KIND_TYPES[kind]
    if asked is None:
        return allowed[0]
    if AssistanceType(asked) not in allowed:
        raise PurposeNotAllowedError(
            f"a {kind.zh} campaign pays for {', '.join(a.value for a in allowed)}, not {asked}"
        )
    return AssistanceType(asked)


@dataclass(frozen=True)
class Plan:
    """What a campaign is opened with, beside its centre and funds: its kind, name, window
    (first and last day), budget, and standards (per category; per school level for 金秋助学)
    under a cap."""

    kind: CampaignKind
    name: str
    window: tuple[date, date]
    budget_fen: int
    standards: Mapping[str, int] = field(default_factory=dict)
    cap_fen: int | None = None

    def check(self, centre: Centre, funds: Sequence[Fund], day: date) -> None:
        """A window of a year at most, not over when it opens; a positive budget; 1 to 20
        funds at the centre or above it that may pay for the kind; each standard for a
        category (a school level for 金秋助学), positive, at most the cap."""
        starts_on, ends_on = self.window
        if not starts_on <= ends_on <= starts_on + MAX_WINDOW:
            raise InvalidCampaignError("a campaign's window runs from start to end, a year at most")
        if day > ends_on:
            raise InvalidCampaignError("a campaign opens on or before the last day of its window")
        require_positive(self.budget_fen)
        if self.budget_fen > MAX_FUND_TOTAL_FEN:
            raise InvalidCampaignError("the budget is larger than any fund may hold")
        self._check_funds(centre, funds)
        self._check_standards()

    def _check_funds(self, centre: Centre, funds: Sequence[Fund]) -> None:
        if not 1 <= len({f.id for f in funds}) == len(funds) <= MAX_FUNDS:
            raise InvalidCampaignError(f"a campaign draws on 1 to {MAX_FUNDS} different funds")
        for fund in funds:
            if fund.centre_id not in centre.path:
                raise InvalidCampaignError(f"fund {fund.name!r} is not at the centre or above it")
            if not set(fund.purposes) & set(KIND_TYPES[CampaignKind(self.kind)]):
                raise PurposeNotAllowedError(f"fund {fund.name!r} may not pay for the campaign")

    def _check_standards(self) -> None:
        subjects = standard_subjects(CampaignKind(self.kind))
        for subject, fen in self.standards.items():
            if subject not in subjects:
                raise InvalidCampaignError(
                    f"the campaign sets standards for {', '.join(subjects)}, not {subject!r}"
                )
            if not 0 < fen <= min(MAX_MOVEMENT_FEN, self.cap_fen or MAX_MOVEMENT_FEN):
                raise InvalidCampaignError(
                    f"the standard for {subject} is not positive or over the cap"
                )
