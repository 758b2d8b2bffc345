"""Domain errors: every refusal the ledger can give, each with a message a person can act on."""

from __future__ import annotations

import math
from datetime import UTC, datetime


class BangfuError(Exception):
    """Base of every refusal by the ledger; the message is the problem's detail."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# --- not found (404) ---------------------------------------------------------------------------
class NotFoundError(BangfuError):
    """Something named by id does not exist."""


class CentreNotFoundError(NotFoundError):
    """No assistance centre has this id."""


class FundNotFoundError(NotFoundError):
    """No fund has this id."""


class CaseNotFoundError(NotFoundError):
    """No hardship archive has this id."""


class PaymentNotFoundError(NotFoundError):
    """No payment has this id."""


class ReferralNotFoundError(NotFoundError):
    """No referral has this id."""


class ApplicationNotFoundError(NotFoundError):
    """No application for the archive has this id."""


class MemberNotFoundError(NotFoundError):
    """No member of this household has this id (or the member left or died already)."""


class ObjectionNotFoundError(NotFoundError):
    """No objection to this application's public notice has this id."""


class PolicySettingNotFoundError(NotFoundError):
    """No policy setting of this centre has this id."""


# --- invalid input (422) -----------------------------------------------------------------------
class InvalidInputError(BangfuError):
    """Input that no state of the ledger could accept."""


class InvalidAmountError(InvalidInputError):
    """An amount that is not a positive yuan string with at most two decimals."""


class InvalidIdNumberError(InvalidInputError):
    """A national ID number that fails GB 11643."""


class InvalidHouseholdError(InvalidInputError):
    """Household size, income or causes out of range."""


class InvalidCentreLevelError(InvalidInputError):
    """A centre whose level may not hang under its parent's level."""


class PurposeNotAllowedError(InvalidInputError):
    """A payment of an assistance type outside the fund's earmark."""


class NotAChildCentreError(InvalidInputError):
    """An allocation to a centre that is not a direct child of the fund's centre."""


class CaseOutsideFundTreeError(InvalidInputError):
    """A payment to a case that is not at the fund's centre or below it."""


class InvalidPolicyError(InvalidInputError):
    """A policy parameter, subject, value or effective date that is not valid."""


class InvalidReferralError(InvalidInputError):
    """A referral or its outcome that does not hold together (a date before the referral,
    an amount granted on a refusal, ...)."""


class InvalidIncomeError(InvalidInputError):
    """An income record that does not hold together (a month not yet earned, members who earn
    more than the household, ...)."""


class CategoryOverrideError(InvalidInputError):
    """A review that records another category than the one its figures give needs a reason."""


class InvalidFilingError(InvalidInputError):
    """A filing step that does not hold together (a date before the step before it, a notice
    shorter than local policy, a category overridden without its reason)."""


class InvalidTransferError(InvalidInputError):
    """A transfer of an archive (转档) to the centre that holds it, or to no centre."""


# --- conflicts with the current state (409) ----------------------------------------------------
class ConflictError(BangfuError):
    """The request is well formed but the ledger's current state refuses it."""


class InsufficientFundsError(ConflictError):
    """The fund's balance is too low."""

    def __init__(self, fund_id: object, balance_fen: int, amount_fen: int) -> None:
        from domain.money import yuan

        super().__init__(
            f"fund {fund_id} holds {yuan(balance_fen)} yuan, "
            f"less than the {yuan(amount_fen)} yuan asked for"
        )
        self.balance_fen = balance_fen
        self.amount_fen = amount_fen


class BackdatedOverdraftError(ConflictError):
    """A payment dated in the past would drive the fund's balance on some date below zero."""


class ApprovalRequiredError(ConflictError):
    """A payment above the approval threshold in force, made without a payment request."""


class PaymentOutsideCaseError(ConflictError):
    """A payment dated before the household was filed, or after its archive was closed."""


class CaseClosedError(ConflictError):
    """The archive is closed and takes no payments or visits."""


class CaseNotClosedError(ConflictError):
    """Only a closed archive can be reopened."""


class DuplicateArchiveError(ConflictError):
    """The person already has an open archive (一人一档)."""

    def __init__(self, detail: str, holder: object = None) -> None:
        super().__init__(detail)
        self.holder = holder  # the open archive's id: told only to users who may see it


class ApplicationStepError(ConflictError):
    """The application is not at the step this asks for (steps go in order; a filed or
    rejected application takes no more)."""


class HouseholdDataErasedError(ConflictError):
    """The household's personal data was erased; its members cannot be changed."""


class AlreadyReversedError(ConflictError):
    """The payment was reversed already."""


class ReferralDecidedError(ConflictError):
    """The referral has its outcome already; a change is a correction naming that outcome."""


class ReferralWithdrawnError(ConflictError):
    """The referral was withdrawn and takes no outcome or follow-up."""


class OutcomeNotCurrentError(ConflictError):
    """A correction must name the referral's current outcome."""


class PolicySettingReplacedError(ConflictError):
    """The policy setting was corrected or withdrawn already; a change names one in effect."""


class MonthRecordedError(ConflictError):
    """The month has its income record already; a change is a correction naming that record."""


class IncomeRecordNotCurrentError(ConflictError):
    """A correction must name a current income record of the household."""


class NoLineInForceError(ConflictError):
    """No 低保 line is in force at the centre on that day, so no category can be computed."""


class NoParentFundError(ConflictError):
    """A return needs somewhere to go."""


class UserExistsError(ConflictError):
    """A user of this name exists."""


class IdempotencyKeyReusedError(ConflictError):
    """The Idempotency-Key was used before with a different request."""


class BusyError(BangfuError):
    """Concurrent writers kept winning the race; the client may try again."""


# --- who may act (401/403) ---------------------------------------------------------------------
class NotAuthenticatedError(BangfuError):
    """No valid bearer token."""


class ForbiddenError(BangfuError):
    """The user's role or centre does not allow this."""


# --- too many attempts (429) -------------------------------------------------------------------
class SignInLockedError(BangfuError):
    """Too many failed sign-ins."""

    def __init__(self, retry_at: datetime, now: datetime) -> None:
        seconds = max(1, math.ceil((retry_at - now).total_seconds()))
        minutes = math.ceil(seconds / 60)
        super().__init__(
            f"too many failed sign-ins with this user name; it may be tried again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}, after "
            f"{retry_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        )
        self.retry_at = retry_at
        self.retry_after_seconds = seconds


# --- recurring subsidies (定期生活补助) ----------------------------------------------------------
class ScheduleNotFoundError(NotFoundError):
    """No recurring subsidy schedule has this id."""


class InvalidScheduleError(InvalidInputError):
    """A schedule that does not hold together (a month not written YYYY-MM, too many months,
    an amount other than the standard without its reason, no month after the filing)."""


class ScheduleMonthNotDueError(ConflictError):
    """The month is not due on this schedule: before its start or the case's filing, or
    after its end."""


class ScheduleStoppedError(ConflictError):
    """The schedule was stopped already (its case closed, or by hand)."""


# --- payment requests (maker-checker, 支付审批) -------------------------------------------------
class PaymentRequestNotFoundError(NotFoundError):
    """No payment request has this id."""


class ApprovalLevelError(ForbiddenError):
    """The request escalated above the user's centre (上级/省级审批)."""


class SelfApprovalError(ForbiddenError):
    """The maker of a payment request may not check it (maker-checker)."""


class RequestDecidedError(ConflictError):
    """The payment request was approved, rejected, voided or expired already."""


class RequestExpiredError(ConflictError):
    """The payment request ran past its approval deadline; make a new one."""


class RequestStillValidError(ConflictError):
    """The payment request may still be decided; it has not expired."""


# --- campaigns (两节送温暖, 金秋助学 ...): domain/campaigns.py ------------------------------------
class CampaignNotFoundError(NotFoundError):
    """No campaign has this id."""


class InvalidCampaignError(InvalidInputError):
    """A campaign, standard, exception or payment that does not hold together (a window that
    ends before it starts, a fund the campaign does not draw on, an amount above its standard)."""


class OutsideCampaignError(InvalidInputError):
    """A visit or payment outside the campaign's window or its centre's subtree."""


class CampaignClosedError(ConflictError):
    """The campaign was closed; it takes no more visits, payments or exceptions."""


class CampaignBudgetExceededError(ConflictError):
    """The payment would take the campaign past its budget."""


class UnreachedWithoutReasonError(ConflictError):
    """A campaign closes only when every household not reached has its reason."""
