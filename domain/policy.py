"""Local policy (地方政策): a centre's dated settings of policy parameters, and what is in force
at a centre on a date.

A centre records its own value of a parameter from a date on (``Policy.ParameterSet``); a
centre below it inherits that value unless it records its own. The value in force at centre C
on date D is the one set at the nearest centre on C's path (C itself, then its parent, up to
the root) that set the parameter with an effective date on or before D; among that centre's
settings, the latest effective date wins, and on the same date the one recorded later. Where no
centre on the path set it, the built-in default in force on D applies (policy_parameters.py).

Nothing is edited: a correction is a new setting naming the one it replaces (``corrects``), and
a setting withdrawn (``Policy.SettingWithdrawn``) stops counting, so the centres above decide
again. ``PolicyBook`` computes what is in force from the settings alone, so the read model, the
checks and an audit package's verifier all answer the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import Act, LedgerAggregate
from domain.clock import EARLIEST_BUSINESS_DATE, LATEST_AHEAD
from domain.errors import InvalidPolicyError, PolicySettingNotFoundError, PolicySettingReplacedError
from domain.policy_parameters import SPECS, Parameter, checked_value, parse_value, subject_of
from domain.text import checked

_POLICIES = uuid5(NAMESPACE_URL, "https://bangfu.example/centre-policy")


def policy_id(centre_id: UUID) -> UUID:
    """The one policy a centre keeps, named by the centre."""
    return uuid5(_POLICIES, str(centre_id))


class Policy(LedgerAggregate):
    """A centre's own settings of policy parameters, each from a date on, never edited."""

    class ParameterSet(Act):
        """设定政策参数: the parameter's value at the centre from ``effective_from`` on; a
        correction names the setting it replaces in ``corrects``."""

        setting_id: UUID
        centre_id: UUID
        parameter: str
        subject: str | None
        value: int
        effective_from: date
        reason: str
        corrects: UUID | None

        def apply(self, policy: Policy) -> None:
            policy.entries[self.setting_id] = Setting(
                str(self.setting_id),
                str(self.centre_id),
                self.parameter,
                self.subject,
                self.value,
                self.effective_from,
                self.originator_version,  # the centre's own order: its log order
                str(self.corrects) if self.corrects else None,
            )
            if self.corrects is not None:
                policy.replaced.add(self.corrects)

    class SettingWithdrawn(Act):
        """撤销政策参数设定: the setting stops counting; the centres above decide again."""

        setting_id: UUID
        reason: str

        def apply(self, policy: Policy) -> None:
            policy.replaced.add(self.setting_id)

    Started: ClassVar[type[LedgerAggregate.Event]]  # made by @event on __init__ below

    @staticmethod
    def create_id(centre_id: UUID) -> UUID:
        return policy_id(centre_id)

    @event("Started")
    def __init__(
        self, centre_id: UUID, centre_path: list[UUID], actor: str, business_date: date
    ) -> None:
        self.centre_id = centre_id
        self.centre_path = list(centre_path)
        self.entries: dict[UUID, Setting] = {}  # every setting, by id
        self.replaced: set[UUID] = set()  # corrected or withdrawn

    def record_setting(
        self,
        setting_id: UUID,
        param: Parameter,
        subject: str | None,
        value: int | str,
        effective_from: date,
        reason: str,
        actor: str,
        business_date: date,
        corrects: UUID | None = None,
    ) -> None:
        """Record the parameter's value from a date on, or correct a setting in effect; a
        value as text is as people write it ("790.00" yuan, "12" months)."""
        subject = subject_of(param, subject)
        value = parse_value(param, value) if isinstance(value, str) else checked_value(param, value)
        reason = checked(reason, "the reason", required=True)
        if not EARLIEST_BUSINESS_DATE <= effective_from <= business_date + LATEST_AHEAD:
            raise InvalidPolicyError(
                f"a setting takes effect from {EARLIEST_BUSINESS_DATE.isoformat()} to a year "
                f"from today, not {effective_from.isoformat()}"
            )
        if corrects is not None:
            self._require_in_effect(corrects)
            was = self.entries[corrects]
            if (was.parameter, was.subject) != (param.value, subject):
                raise InvalidPolicyError(
                    f"setting {corrects} is of {self._named(corrects)}: a correction sets "
                    "the same parameter for the same subject"
                )
        self._trigger(
            self.ParameterSet,
            actor,
            business_date,
            setting_id=setting_id,
            centre_id=self.centre_id,
            parameter=param.value,
            subject=subject,
            value=value,
            effective_from=effective_from,
            reason=reason,
            corrects=corrects,
        )

    def withdraw(self, setting_id: UUID, reason: str, actor: str, business_date: date) -> None:
        """Stop a setting counting (the centres above decide again), with a reason."""
        reason = checked(reason, "the reason", required=True)
        self._require_in_effect(setting_id)
        self._trigger(
            self.SettingWithdrawn, actor, business_date, setting_id=setting_id, reason=reason
        )

    def _require_in_effect(self, setting_id: UUID) -> None:
        if setting_id not in self.entries:
            raise PolicySettingNotFoundError(
                f"centre {self.centre_id} recorded no policy setting {setting_id}"
            )
        if setting_id in self.replaced:
            raise PolicySettingReplacedError(
                f"setting {setting_id} was corrected or withdrawn already; name the one in effect"
            )

    def _named(self, setting_id: UUID) -> str:
        was = self.entries[setting_id]
        return f"{was.parameter} for {was.subject}" if was.subject else was.parameter


@dataclass(frozen=True)
class Setting:
    """A parameter's value at a centre (None: the built-in default) from a date on."""

    setting_id: str
    centre_id: str | None
    parameter: str
    subject: str | None
    value: int
    effective_from: date
    order: int = 0  # the log position: on one centre and date, the later recorded wins
    corrects: str | None = None


def _defaults() -> dict[tuple[str, str | None], list[Setting]]:
    found: dict[tuple[str, str | None], list[Setting]] = {}
    for param, spec in SPECS.items():
        for subject, since, value in spec.defaults:
            name = f"default:{param.value}:{subject or ''}"
            found.setdefault((param.value, subject), []).append(
                Setting(name, None, param.value, subject, value, since)
            )
    return found


DEFAULTS = _defaults()
"""The built-in defaults by (parameter, subject), oldest first: where no centre set a value."""


InForce = tuple[Parameter, str | None, Setting | None]


def _latest(settings: Sequence[Setting], on: date) -> Setting | None:
    """The setting with the latest effective date on or before ``on`` (sorted oldest first)."""
    for s in reversed(settings):
        if s.effective_from <= on:
            return s
    return None


class PolicyBook:
    """The settings in effect (those corrected or withdrawn left out), and what is in force."""

    def __init__(self, settings: Iterable[Setting], withdrawn: Iterable[str] = ()) -> None:
        every = list(settings)
        gone = set(withdrawn) | {s.corrects for s in every if s.corrects}
        self._at: dict[tuple[str, str | None, str], list[Setting]] = {}
        for s in every:
            if s.setting_id not in gone and s.centre_id is not None:
                self._at.setdefault((s.parameter, s.subject, s.centre_id), []).append(s)
        for found in self._at.values():
            found.sort(key=lambda s: (s.effective_from, s.order))

    def in_force(
        self, param: Parameter | str, subject: str | None, path: Sequence[str], on: date
    ) -> Setting | None:
        """The setting in force at the last centre of ``path`` (root first) on ``on``."""
        name = Parameter(param).value
        for centre in reversed(path):
            found = _latest(self._at.get((name, subject, str(centre)), ()), on)
            if found is not None:
                return found
        return _latest(DEFAULTS.get((name, subject), ()), on)

    def centres(self) -> set[str]:
        """The centres that set something in effect."""
        return {centre for _, _, centre in self._at}

    def value(
        self, param: Parameter | str, subject: str | None, path: Sequence[str], on: date
    ) -> int | None:
        found = self.in_force(param, subject, path, on)
        return found.value if found is not None else None

    def everything(self, path: Sequence[str], on: date) -> list[InForce]:
        """Every parameter for every subject, with the setting in force (None: no value)."""
        return [
            (param, subject, self.in_force(param, subject, path, on))
            for param in Parameter
            for subject in _subjects(param)
        ]


def _subjects(param: Parameter) -> list[str | None]:
    vocabulary = param.spec.subjects
    return [None] if vocabulary is None else [s.value for s in vocabulary]


def year_end(year: int) -> date:
    """The day a yearly figure (a year's payments, a fiscal year's matching) is judged on."""
    return date(year + 1, 1, 1) - timedelta(days=1)
