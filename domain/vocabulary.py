"""The ledger's words: the enum values stored in events, each with its Chinese term."""

from __future__ import annotations

from enum import StrEnum

from domain.labels import ZH as ZH  # re-exported: the labels by value


class Term(StrEnum):
    """A stored value with a Chinese label (``.zh``)."""

    @property
    def zh(self) -> str:
        return ZH.get(self.value, self.value)


class CentreLevel(Term):
    NATIONAL = "national"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    STREET = "street"
    COMMUNITY = "community"
    ENTERPRISE_STATION = "enterprise_station"
    INDUSTRY_UNION = "industry_union"

    def may_hang_under(self, parent: CentreLevel) -> bool:
        """A child sits below its parent; an enterprise station may hang under any centre."""
        if self is CentreLevel.ENTERPRISE_STATION:
            return parent is not CentreLevel.ENTERPRISE_STATION
        if self is CentreLevel.INDUSTRY_UNION:
            return parent is not CentreLevel.INDUSTRY_UNION and (
                _RANK[parent] <= _RANK[CentreLevel.COUNTY]
            )
        if parent is CentreLevel.INDUSTRY_UNION:
            return False
        return _RANK[self] > _RANK[parent]


_RANK = {
    CentreLevel.NATIONAL: 0,
    CentreLevel.PROVINCE: 1,
    CentreLevel.PREFECTURE: 2,
    CentreLevel.COUNTY: 3,
    CentreLevel.INDUSTRY_UNION: 3,
    CentreLevel.STREET: 4,
    CentreLevel.COMMUNITY: 5,
    CentreLevel.ENTERPRISE_STATION: 6,
}


class FundSource(Term):
    CENTRAL_SPECIAL_FUND = "central_special_fund"
    PROVINCIAL_MATCH = "provincial_match"
    MUNICIPAL_MATCH = "municipal_match"
    COUNTY_MATCH = "county_match"
    ACFTU_WARMTH_FUND = "acftu_warmth_fund"
    UNION_FUNDS_OWN_LEVEL = "union_funds_own_level"
    SOCIAL_DONATION = "social_donation"
    INDIVIDUAL_DONATION = "individual_donation"
    ENTERPRISE_UNION_FUNDS = "enterprise_union_funds"


class AssistanceType(Term):
    LIVING_RELIEF = "living_relief"
    MEDICAL_RELIEF = "medical_relief"
    EDUCATION_AID = "education_aid"
    VOCATIONAL_TRAINING = "vocational_training"
    JOB_PLACEMENT = "job_placement"
    LEGAL_AID = "legal_aid"
    WARMTH_VISIT = "warmth_visit"
    SUMMER_COOLING = "summer_cooling"
    TEMPORARY_RELIEF = "temporary_relief"
    MUTUAL_MEDICAL_COVER = "mutual_medical_cover"
    ENTREPRENEURSHIP_SUPPORT = "entrepreneurship_support"


class Category(Term):
    DEEP_HARDSHIP = "deep_hardship"
    RELATIVE_HARDSHIP = "relative_hardship"
    ACCIDENT_INDUCED = "accident_induced"
    BORDERLINE = "borderline"


class Cause(Term):
    NO_WORK_CAPACITY = "no_work_capacity"
    ABLE_BUT_NOT_EMPLOYED = "able_but_not_employed"
    LAID_OFF_UNEMPLOYED = "laid_off_unemployed"
    NO_SOCIAL_INSURANCE = "no_social_insurance"
    INSURANCE_BENEFITS_NOT_DELIVERED = "insurance_benefits_not_delivered"
    SERIOUS_ILLNESS = "serious_illness"
    NATURAL_DISASTER = "natural_disaster"
    ACCIDENT = "accident"
    CHILD_SCHOOLING = "child_schooling"
    OTHER = "other"


class HouseholdFlag(Term):
    SINGLE_PARENT = "single_parent"
    ZERO_EMPLOYMENT_FAMILY = "zero_employment_family"
    DISABILITY = "disability"
    MODEL_WORKER = "model_worker"


class CaseStatus(Term):
    ACTIVE = "active"
    EXITED = "exited"
    CANCELLED = "cancelled"


class ClosureReason(Term):
    EXITED_INCOME_ABOVE_LINE = "exited_income_above_line"
    STABILIZED_SAFETY_NET = "stabilized_safety_net"
    DECEASED = "deceased"
    DEREGISTERED_INELIGIBLE = "deregistered_ineligible"
    RETIRED = "retired"
    TRANSFERRED_OUT = "transferred_out"
    DUPLICATE_ARCHIVE = "duplicate_archive"

    @property
    def status(self) -> CaseStatus:
        """脱困/解困 move the case to the exited library; other reasons cancel it."""
        if self in (ClosureReason.EXITED_INCOME_ABOVE_LINE, ClosureReason.STABILIZED_SAFETY_NET):
            return CaseStatus.EXITED
        return CaseStatus.CANCELLED


class VisitKind(Term):
    ROUTINE = "routine"
    CAMPAIGN = "campaign"


class CampaignKind(Term):
    SPRING_FESTIVAL_WARMTH = "spring_festival_warmth"
    GOLDEN_AUTUMN_EDUCATION = "golden_autumn_education"
    SUMMER_COOLING = "summer_cooling"
    SPRING_BREEZE_JOBS = "spring_breeze_jobs"


class ReferralChannel(Term):
    """A government channel a household is referred to (转介), as domain.md names them."""

    DIBAO = "dibao"
    EXTREME_POVERTY_SUPPORT = "extreme_poverty_support"
    CIVIL_MEDICAL_AID = "civil_medical_aid"
    LOW_RENT_HOUSING = "low_rent_housing"
    CRITICAL_ILLNESS_INSURANCE = "critical_illness_insurance"
    SOCIAL_INSURANCE_BENEFITS = "social_insurance_benefits"
    TEMPORARY_ASSISTANCE = "temporary_assistance"
    EDUCATION_ASSISTANCE = "education_assistance"
    EMPLOYMENT_ASSISTANCE = "employment_assistance"
    LEGAL_AID_CENTRE = "legal_aid_centre"
    OTHER = "other"


class ReferralDecision(Term):
    """What the receiving body decided about a referral."""

    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REFUSED = "refused"


class ReferralStatus(Term):
    """Where a referral stands: waiting for an answer, answered, or withdrawn."""

    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class ApplicationStage(Term):
    """Where an application for the archive stands (申请 → 审核 → 入户核查 → 公示 → 建档)."""

    RECEIVED = "received"
    REVIEWED = "reviewed"
    VISITED = "visited"
    INCOME_CHECKED = "income_checked"
    ON_NOTICE = "on_notice"
    FILED = "filed"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        return self not in (ApplicationStage.FILED, ApplicationStage.REJECTED)


class Employment(Term):
    """A household member's work (零就业家庭: no member in work)."""

    EMPLOYED = "employed"
    FLEXIBLE_EMPLOYMENT = "flexible_employment"
    UNEMPLOYED = "unemployed"
    RETIRED = "retired"
    STUDENT = "student"
    UNABLE_TO_WORK = "unable_to_work"
    PRESCHOOL = "preschool"


class Role(Term):
    ADMIN = "admin"
    FINANCE = "finance"
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"


TERMS: dict[str, type[Term]] = {
    "centre_level": CentreLevel,
    "fund_source": FundSource,
    "assistance_type": AssistanceType,
    "category": Category,
    "cause": Cause,
    "flag": HouseholdFlag,
    "case_status": CaseStatus,
    "closure_reason": ClosureReason,
    "visit_kind": VisitKind,
    "campaign_kind": CampaignKind,
    "referral_channel": ReferralChannel,
    "referral_decision": ReferralDecision,
    "referral_status": ReferralStatus,
    "role": Role,
    "application_stage": ApplicationStage,
    "employment": Employment,
}
