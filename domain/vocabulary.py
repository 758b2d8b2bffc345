"""The ledger's words: the enum values stored in events, each with its Chinese term."""

from __future__ import annotations

from enum import StrEnum


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


ZH: dict[str, str] = {
    "national": "全国总工会",
    "province": "省级",
    "prefecture": "地市级",
    "county": "区县级",
    "street": "街道/乡镇",
    "community": "社区",
    "enterprise_station": "企业帮扶站",
    "industry_union": "产业工会",
    "central_special_fund": "中央财政专项帮扶资金",
    "provincial_match": "省级财政配套",
    "municipal_match": "市级财政配套",
    "county_match": "县级财政配套",
    "acftu_warmth_fund": "全总送温暖资金",
    "union_funds_own_level": "本级工会经费",
    "social_donation": "社会捐赠",
    "individual_donation": "个人捐赠",
    "enterprise_union_funds": "企业工会经费",
    "living_relief": "生活救助",
    "medical_relief": "医疗救助",
    "education_aid": "助学",
    "vocational_training": "职业培训",
    "job_placement": "就业援助",
    "legal_aid": "法律援助",
    "warmth_visit": "送温暖慰问",
    "summer_cooling": "夏送清凉",
    "temporary_relief": "临时救助",
    "mutual_medical_cover": "职工医疗互助",
    "entrepreneurship_support": "创业扶持",
    "deep_hardship": "深度困难",
    "relative_hardship": "相对困难",
    "accident_induced": "意外致困",
    "borderline": "边缘",
    "no_work_capacity": "无劳动能力",
    "able_but_not_employed": "有劳动能力未就业",
    "laid_off_unemployed": "下岗失业",
    "no_social_insurance": "未参加社会保险",
    "insurance_benefits_not_delivered": "社会保险待遇未落实",
    "serious_illness": "大病",
    "natural_disaster": "自然灾害",
    "accident": "意外事故",
    "child_schooling": "子女上学",
    "other": "其他",
    "single_parent": "单亲家庭",
    "zero_employment_family": "零就业家庭",
    "disability": "残疾",
    "model_worker": "劳动模范",
    "active": "在档",
    "exited": "脱困",
    "cancelled": "退档/注销",
    "exited_income_above_line": "脱困（收入超过低保线）",
    "stabilized_safety_net": "解困（纳入保障）",
    "deceased": "死亡",
    "deregistered_ineligible": "退档（不符合条件）",
    "retired": "退休",
    "transferred_out": "转出",
    "duplicate_archive": "重复建档",
    "routine": "日常走访",
    "campaign": "活动走访",
    "spring_festival_warmth": "两节送温暖",
    "golden_autumn_education": "金秋助学",
    "spring_breeze_jobs": "春风行动",
    "dibao": "最低生活保障（低保）",
    "extreme_poverty_support": "特困人员救助供养",
    "civil_medical_aid": "医疗救助（政府）",
    "low_rent_housing": "廉租房/公租房",
    "critical_illness_insurance": "大病保险",
    "social_insurance_benefits": "社会保险待遇",
    "temporary_assistance": "临时救助（政府）",
    "education_assistance": "教育救助",
    "employment_assistance": "就业援助（政府）",
    "legal_aid_centre": "法律援助中心",
    "accepted": "已纳入",
    "partly_accepted": "部分纳入",
    "refused": "未予纳入",
    "open": "办理中",
    "decided": "已答复",
    "withdrawn": "已撤回",
    "received": "已受理",
    "reviewed": "已审核",
    "visited": "已入户核查",
    "income_checked": "已核对收入",
    "on_notice": "公示中",
    "filed": "已建档",
    "rejected": "不予建档",
    "employed": "在业",
    "flexible_employment": "灵活就业",
    "unemployed": "失业/无业",
    "student": "在校学生",
    "unable_to_work": "无劳动能力",
    "preschool": "学龄前",
    "admin": "管理员",
    "finance": "财务人员",
    "caseworker": "帮扶工作人员",
    "supervisor": "主管/上级工会",
    "auditor": "审计",
}

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
