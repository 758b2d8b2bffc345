"""Local policy: an admin of a centre's subtree records dated settings of policy parameters at
that centre, corrects them with new settings, or withdraws them (domain/policy.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from domain.access import Permission
from domain.centres import Centre
from domain.errors import CentreNotFoundError, PolicySettingNotFoundError
from domain.policy import Policy, PolicyBook, Setting, policy_id
from domain.policy_parameters import Parameter
from domain.results import Created
from domain.writes import Change, Context, LedgerCore, Outcome


class PolicyUseCases(LedgerCore):
    """Setting, correcting and withdrawing a centre's policy parameters."""

    def set_policy(
        self,
        ctx: Context,
        centre_id: UUID,
        param: Parameter,
        subject: str | None,
        value: int | str,
        effective_from: date,
        reason: str,
        corrects: UUID | None = None,
    ) -> Outcome[Created]:
        """Record the parameter's value at the centre from ``effective_from`` on (or correct
        the setting ``corrects``); answers with the new setting's id. A value as text is
        parsed by the parameter's unit once the user may set it ("790.00" yuan, "12")."""
        setting_id = uuid4()

        def change() -> Change[Created]:
            policy = self._policy_to_change(ctx, centre_id)
            policy.record_setting(
                setting_id,
                param,
                subject,
                value,
                effective_from,
                reason,
                ctx.actor.name,
                self.today(),
                corrects,
            )
            return Change(Created(setting_id), [policy])

        return self._write(ctx, change, centre_id, policy_id(centre_id))

    def withdraw_policy(
        self, ctx: Context, centre_id: UUID, setting_id: UUID, reason: str
    ) -> Outcome[Created]:
        """Stop a setting of the centre counting; answers with the setting's id."""

        def change() -> Change[Created]:
            policy = self._find(Policy, policy_id(centre_id))
            if policy is None:
                self._policy_to_change(ctx, centre_id)  # refuses a stranger first
                raise PolicySettingNotFoundError(
                    f"centre {centre_id} recorded no policy setting {setting_id}"
                )
            self._require(ctx, policy.centre_path)
            policy.withdraw(setting_id, reason, ctx.actor.name, self.today())
            return Change(Created(setting_id), [policy])

        return self._write(ctx, change, policy_id(centre_id))

    def policy_book(self, centre_path: Sequence[UUID]) -> PolicyBook:
        """What the centres on a path (root first) set, read through the batch's working set
        when a command is being decided: a check asks it ``book.value(parameter, subject,
        path, business_date)`` for the value in force there that day."""
        settings: list[Setting] = []
        gone: set[str] = set()
        for centre in centre_path:
            policy = self._find(Policy, policy_id(centre))
            if policy is not None:
                settings += policy.entries.values()
                gone |= {str(s) for s in policy.replaced}
        return PolicyBook(settings, gone)

    def policy_value(
        self, centre_id: UUID, param: Parameter, subject: str | None, on: date
    ) -> int | None:
        """The value of a parameter in force at a centre on a date (None: none applies)."""
        path = self._get(Centre, centre_id, CentreNotFoundError).path
        return self.policy_book(path).value(param, subject, [str(c) for c in path], on)

    def _policy_to_change(self, ctx: Context, centre_id: UUID) -> Policy:
        """The centre's policy (started now if it has none), once the user may set it."""
        centre = self._get(Centre, centre_id, CentreNotFoundError)
        self._require(ctx, centre.path)
        policy = self._find(Policy, policy_id(centre_id))
        if policy is None:
            policy = Policy(
                centre_id=centre.id,
                centre_path=centre.path,
                actor=ctx.actor.name,
                business_date=self.today(),
            )
        return policy

    @staticmethod
    def _require(ctx: Context, path: list[UUID]) -> None:
        """Admins of a subtree that holds the centre (or of the whole tree) set its policy."""
        ctx.actor.require(Permission.SET_POLICY, path)
