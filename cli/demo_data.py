"""The demo's made-up world: its year, the shares of its archive, its names, centres and funds."""

from __future__ import annotations

from domain.vocabulary import AssistanceType as T
from domain.vocabulary import Category, Cause, CentreLevel, ClosureReason, FundSource, Role

YEAR = 2026
DIBAO_LINE_FEN = 79_000  # the city's 低保 line, ¥790 a month per head (dated policy data)
# Shares of the archive. domain.md names the categories and causes but gives no shares; these
# are illustrative weights (illness and lay-offs lead, as the seeds describe), not statistics.
CATEGORY_WEIGHTS = {
    Category.DEEP_HARDSHIP: 30,
    Category.RELATIVE_HARDSHIP: 45,
    Category.ACCIDENT_INDUCED: 15,
    Category.BORDERLINE: 10,
}
CAUSE_WEIGHTS = {
    Cause.SERIOUS_ILLNESS: 30,
    Cause.LAID_OFF_UNEMPLOYED: 16,
    Cause.NO_WORK_CAPACITY: 12,
    Cause.ABLE_BUT_NOT_EMPLOYED: 9,
    Cause.CHILD_SCHOOLING: 10,
    Cause.ACCIDENT: 6,
    Cause.NO_SOCIAL_INSURANCE: 6,
    Cause.INSURANCE_BENEFITS_NOT_DELIVERED: 3,
    Cause.NATURAL_DISASTER: 3,
    Cause.OTHER: 5,
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
    "宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰建国建华淑珍凤英红梅"
CENTRAL = [T.LIVING_RELIEF, T.MEDICAL_RELIEF, T.EDUCATION_AID, T.TEMPORARY_RELIEF, T.WARMTH_VISIT]
WARMTH = [T.WARMTH_VISIT, T.SUMMER_COOLING]
DEMO_USERS = [
    ("demo-admin", Role.ADMIN),
    ("demo-finance", Role.FINANCE),
    ("demo-caseworker", Role.CASEWORKER),
    ("demo-supervisor", Role.SUPERVISOR),
    ("demo-auditor", Role.AUDITOR),
]
DEMO_HOMES = {Role.CASEWORKER: "朝阳区总工会帮扶中心"}
"""Where a demo user works when not at the city: the caseworker only in one district, so the
other districts' households are refused to them (by URL too)."""
CITY = ("长春市总工会困难职工帮扶中心", CentreLevel.PREFECTURE)
DISTRICTS = {  # each district's centre, and its streets
    "朝阳区": ["红旗街道", "桂林街道"],
    "南关区": ["自由大路街道", "永吉街道"],
    "宽城区": ["新发街道"],
}
STATION = ("一汽集团企业帮扶站", CentreLevel.ENTERPRISE_STATION)
FUNDS = [  # central money matched 1:1 by province and city, and the ACFTU's warmth fund
    ("中央财政专项帮扶资金", FundSource.CENTRAL_SPECIAL_FUND, "财政部", CENTRAL),
    ("省级财政配套帮扶资金", FundSource.PROVINCIAL_MATCH, "吉林省财政厅", CENTRAL),
    ("市级财政配套帮扶资金", FundSource.MUNICIPAL_MATCH, "长春市财政局", CENTRAL),
    ("全总送温暖资金", FundSource.ACFTU_WARMTH_FUND, "中华全国总工会", WARMTH),
]
CLOSURES = [  # why the first households leave the archive, in turn
    ClosureReason.EXITED_INCOME_ABOVE_LINE,
    ClosureReason.STABILIZED_SAFETY_NET,
    ClosureReason.RETIRED,
    ClosureReason.DECEASED,
]
