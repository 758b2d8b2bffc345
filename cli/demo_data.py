"""The demo's made-up world: its year, the shares of its archive, its names, centres and funds."""

from __future__ import annotations

from datetime import date, timedelta

from domain.id_numbers import make_id_number
from domain.policy_parameters import Parameter as Policy
from domain.vocabulary import AssistanceType as T
from domain.vocabulary import Category, Cause, CentreLevel, ClosureReason, FundSource, Role
from domain.vocabulary import ReferralChannel as Channel
from domain.vocabulary import ReferralDecision as Decision

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
CITY_FUND = (  # the city's own union money, kept at the city
    "市总工会帮扶资金",
    FundSource.UNION_FUNDS_OWN_LEVEL,
    "长春市总工会",
    [T.WARMTH_VISIT, T.MEDICAL_RELIEF, T.TEMPORARY_RELIEF, T.EDUCATION_AID],
)
CLOSURES = [  # why the first households leave the archive, in turn
    ClosureReason.EXITED_INCOME_ABOVE_LINE,
    ClosureReason.STABILIZED_SAFETY_NET,
    ClosureReason.RETIRED,
    ClosureReason.DECEASED,
]
REFERRALS = [  # households referred to government channels (转介): channel, receiving body, and
    # the answer (decision, fen granted, service, reason), or None: still open, followed up
    (Channel.DIBAO, "朝阳区民政局", (Decision.ACCEPTED, 79_000, "每月低保金", "")),
    (
        Channel.LOW_RENT_HOUSING,
        "长春市住房保障中心",
        (Decision.REFUSED, None, "", "现有住房超过保障面积"),
    ),
    (Channel.CRITICAL_ILLNESS_INSURANCE, "长春市医疗保障局", None),
]
SINCE_2020 = date(2020, 1, 1)
_CITY, _DISTRICT = CITY[0], "朝阳区总工会帮扶中心"
POLICY = [  # recorded first (centre, parameter, subject, value, from, reason): the city's policy,
    # its 低保 line rising mid-year, and a district that records a higher line of its own
    (_CITY, Policy.DIBAO_LINE, None, 70_000, SINCE_2020, "长春市2020年城市低保标准"),
    (_CITY, Policy.DIBAO_LINE, None, DIBAO_LINE_FEN, date(2025, 1, 1), "长春市2025年城市低保标准"),
    (_CITY, Policy.DIBAO_LINE, None, 82_000, date(YEAR, 7, 1), "城市低保标准年中上调"),
    (_CITY, Policy.LIVING_RELIEF_MONTHS, "deep_hardship", 12, SINCE_2020, "帮扶工作办法"),
    (_CITY, Policy.LIVING_RELIEF_MONTHS, "relative_hardship", 8, SINCE_2020, "帮扶工作办法"),
    (_CITY, Policy.ACCIDENT_AID_CAP, None, 10_000_00, SINCE_2020, "意外致困救助标准"),
    (_CITY, Policy.EDUCATION_AID_CAP, None, 10_000_00, SINCE_2020, "金秋助学实施办法"),
    (_CITY, Policy.MATCHING_RATIO, "province", 100, SINCE_2020, "中央专项资金1:1配套"),
    (_CITY, Policy.MATCHING_RATIO, "prefecture", 100, SINCE_2020, "中央专项资金1:1配套"),
    (_CITY, Policy.MATCHING_RATIO, "county", 100, SINCE_2020, "中央专项资金1:1配套"),
    (_CITY, Policy.REPEAT_WINDOW_DAYS, None, 30, SINCE_2020, "资金监管办法"),
    (_CITY, Policy.APPROVAL_ABOVE, None, 8_000_00, SINCE_2020, "单笔超过8000元须审批"),
    (_CITY, Policy.LATE_RECORDING_DAYS, None, 30, SINCE_2020, "资金监管办法"),
    (_DISTRICT, Policy.DIBAO_LINE, None, 85_000, date(YEAR, 1, 1), "朝阳区提高本区城市低保标准"),
]


BIRTH_DAYS = 14_600  # births spread over 40 years from 1960


def demo_id_number(n: int) -> str:
    """The n-th household's ID number: a distinct (birth date, sequence) pair for every n below
    14.6 million, so no two demo households ever share a number (一人一档 would refuse one)."""
    birth = date(1960, 1, 1) + timedelta(days=(n * 7919) % BIRTH_DAYS)  # 7919 is prime
    return make_id_number("220104", birth, n // BIRTH_DAYS)
