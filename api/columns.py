"""The columns of every list and report that downloads as CSV or XLSX, in one place.

A field that several exports share is one ``Column`` here, so it has the same English and Chinese
header wherever it appears; a field whose meaning changes with the export (a posting's "recorded
at" is 记账时间, an audit event's is 记录时间) gets a column of its own in that export.
"""

from __future__ import annotations

from api.exports import Column
from domain.vocabulary import ZH
from projections.referrals import COUNTS

CENTRE_ID = Column("centre_id", "centre id", "帮扶中心编号")
FUND_ID = Column("fund_id", "fund id", "资金编号")
CASE_ID = Column("case_id", "case id", "档案编号")
CATEGORY = Column("category", "category", "困难类别")
BUSINESS_DATE = Column("business_date", "business date", "业务日期")
FISCAL_YEAR = Column("fiscal_year", "fiscal year", "年度")
RECEIVED = Column("received", "received (yuan)", "拨入（元）", money=True)
ALLOCATED_IN = Column("allocated_in", "allocated in (yuan)", "上级下拨（元）", money=True)
ALLOCATED_OUT = Column("allocated_out", "allocated out (yuan)", "下拨下级（元）", money=True)
REVERSED = Column("reversed", "reversed (yuan)", "冲正（元）", money=True)
MOVED = [RECEIVED, ALLOCATED_IN, ALLOCATED_OUT]
"""What came into a fund and went down the tree, in the order every fund report lists it."""

ARCHIVE = [
    Column("id", CASE_ID.en, CASE_ID.zh),
    Column("person_name", "name", "姓名"),
    Column("status", "status", "状态"),
    CATEGORY,
    Column("primary_cause", "primary cause", "主要致困原因"),
    Column("secondary_causes", "secondary causes", "次要致困原因"),
    Column("flags", "flags", "家庭标识"),
    Column("household_size", "household size", "家庭人口"),
    Column(
        "per_capita_monthly_income",
        "income per head a month (yuan)",
        "人均月收入（元）",
        money=True,
    ),
    Column("filed_on", "filed on", "建档日期"),
    Column("last_reviewed_on", "last reviewed", "最近复核"),
    Column("last_visit_on", "last visited", "最近走访"),
    Column("received_in_year", "received in year (yuan)", "本年度帮扶金额（元）", money=True),
    Column("received_total", "received in all (yuan)", "累计帮扶金额（元）", money=True),
    CENTRE_ID,
]

AUDIT_EVENTS = [
    Column("position", "position", "日志序号"),
    Column("recorded_at", "recorded at", "记录时间"),
    BUSINESS_DATE,
    Column("actor", "actor", "操作人"),
    Column("aggregate", "record", "对象"),
    Column("type", "event", "事件"),
    Column("type_zh", "event (zh)", "事件名称"),
    Column("originator_id", "record id", "对象编号"),
    CENTRE_ID,
    FUND_ID,
    CASE_ID,
    Column("data", "details", "详情"),
]

POSTINGS = [
    Column("version", "no.", "序号"),
    BUSINESS_DATE,
    Column("recorded_at", "recorded at", "记账时间"),
    Column("type", "movement", "类型"),
    Column("amount", "amount (yuan)", "金额（元）", money=True),
    Column("balance_after", "balance after (yuan)", "余额（元）", money=True),
    Column("counterparty_kind", "counterparty", "对方类型"),
    Column("counterparty_id", "counterparty id", "对方编号"),
    Column("assistance_type", "assistance type", "帮扶类型"),
    Column("reference", "reference", "凭证/摘要"),
    Column("actor", "recorded by", "经办人"),
]

FUNDS = [
    FUND_ID,
    Column("name", "fund", "资金名称"),
    Column("source", "source", "资金来源"),
    FISCAL_YEAR,
    CENTRE_ID,
    *MOVED,
    Column("disbursed", "paid (yuan)", "帮扶支出（元）", money=True),
    REVERSED,
    Column("balance", "balance (yuan)", "余额（元）", money=True),
]

YEAR_END = [
    Column("centre_name", "centre", "帮扶中心"),
    Column("source", "fund source", "资金来源"),
    Column("funds", "funds", "资金账户数"),
    *MOVED,
    Column("disbursed", "paid to households (yuan)", "帮扶支出（元）", money=True),
    REVERSED,
    Column("returned", "returned (yuan)", "退回/上缴（元）", money=True),
    Column("returns_received", "returns received (yuan)", "下级退回（元）", money=True),
    Column("balance", "unspent (yuan)", "结余（元）", money=True),
]

REFERRAL_CHANNEL = [
    Column("channel", "channel", "转介渠道"),
    Column("channel_zh", "channel (zh)", "渠道名称"),
]

OPEN_REFERRALS = [
    Column("id", "referral id", "转介编号"),
    CASE_ID,
    Column("number", "no. in case", "档案内序号"),
    *REFERRAL_CHANNEL,
    Column("receiving_body", "receiving body", "接收单位"),
    Column("referred_on", "referred on", "转介日期"),
    Column("age_days", "age (days)", "已办理天数"),
    Column("follow_ups", "follow-ups", "跟进次数"),
    Column("last_follow_up_on", "last followed up", "最近跟进"),
    CENTRE_ID,
]

REFERRAL_STATISTICS = [
    *REFERRAL_CHANNEL,
    Column("made", "referred", "转介数"),
    # where the referrals stand now (open, each decision, withdrawn), as the vocabulary says it
    *(Column(name, name.replace("_", " "), ZH[name]) for name in COUNTS[1:]),
    Column("granted", "granted (yuan)", "获批金额（元）", money=True),
]

MATCHING = [
    Column("centre_name", "centre", "帮扶中心"),
    Column("level", "level", "层级"),
    FISCAL_YEAR,
    Column("central_received", "central money received (yuan)", "中央资金到位（元）", money=True),
    Column("match_source", "matching source", "配套来源"),
    Column("ratio", "central : match", "中央 : 配套"),
    Column("base", "to be matched (yuan)", "配套基数（元）", money=True),
    Column("required", "required (yuan)", "应配套（元）", money=True),
    Column("received", "received (yuan)", "实际到位（元）", money=True),
    Column("shortfall", "shortfall (yuan)", "缺口（元）", money=True),
]

SUSPICIOUS_PAYMENTS = [
    Column("rule", "rule", "规则"),
    CASE_ID,
    Column("payment_ids", "payments", "支付编号"),
    Column("positions", "log positions", "日志序号"),
    Column("detail", "detail", "说明"),
]

PROVENANCE = [
    Column("depth", "level in the tree", "层级"),
    Column("name", "fund", "资金"),
    CENTRE_ID,
    Column("case_id", "household", "困难户档案"),
    *MOVED,
    Column("paid", "paid (yuan)", "帮扶支出（元）", money=True),
    Column("paid_by_type", "by type", "按类型"),
    REVERSED,
    Column("returned", "returned (yuan)", "退回（元）", money=True),
    Column("unspent", "unspent (yuan)", "结余（元）", money=True),
]
"""A fund's tree as a spreadsheet: a row per fund, then one per household it paid."""

REVIEW_DUE = [
    CASE_ID,
    CATEGORY,
    Column("last_reviewed_on", "last reviewed", "最近复核"),
    Column("interval_months", "interval (months)", "复核间隔（月）"),
    Column("due_on", "due on", "应复核日期"),
    Column("days_left", "days left", "剩余天数"),
    Column("state", "state", "状态"),
    CENTRE_ID,
]
OVERRIDES = [
    CASE_ID,
    Column("reviewed_on", "reviewed on", "复核日期"),
    Column("computed_category", "computed category", "测算类别"),
    Column("category", "category recorded", "认定类别"),
    Column("reason", "reason", "调整理由"),
    Column("actor", "recorded by", "经办人"),
    CENTRE_ID,
]
EXIT_CANDIDATES = [
    CASE_ID,
    CATEGORY,
    Column("months_above", "months above the line", "连续高于低保月数"),
    Column("required_months", "months required", "脱困认定月数"),
    Column("from_month", "from", "起始月份"),
    Column("to_month", "to", "截止月份"),
    CENTRE_ID,
]

AMOUNT = Column("amount", "amount (yuan)", "金额（元）", money=True)
BANK_REFERENCE = Column("reference", "reference", "业务参考号")  # the payment's id, as the bank
ROSTER_REPORT = [  # quotes it back in its return file
    Column("row", "row", "行号"),
    Column("key", "no.", "序号"),
    Column("status_zh", "status", "结果"),
    Column("problem_zh", "problem", "问题"),
    Column("message", "message", "说明"),
    CASE_ID,
    AMOUNT,
    Column("payment_id", "payment id", "支付编号"),
]
BANK_FILE = [
    Column("number", "no.", "序号"),
    Column("payee", "payee", "收款人姓名"),
    Column("bank_card", "bank card", "银行卡号"),
    AMOUNT,
    BANK_REFERENCE,
    Column("memo", "memo", "摘要"),
    BUSINESS_DATE,
    CASE_ID,
]
BANK_RETURNS = [
    Column("row", "row", "行号"),
    BANK_REFERENCE,
    Column("status_zh", "status", "结果"),
    Column("detail", "detail", "说明"),
    Column("reversal_id", "reversal id", "冲正编号"),
]

CAMPAIGN_COVERAGE = [
    CENTRE_ID,
    Column("centre_name", "centre", "帮扶中心"),
    Column("households", "households on the roster", "应覆盖户数"),
    Column("visited", "visited", "已走访"),
    Column("paid", "paid", "已发放"),
    Column("both", "visited and paid", "走访且发放"),
    Column("neither", "not reached", "未覆盖"),
    Column("exceptions", "exceptions", "例外户数"),
    Column("paid_amount", "paid (yuan)", "发放金额（元）", money=True),
]
"""A campaign's coverage (两节送温暖 ...): a row per centre, then the total."""
CAMPAIGN_UNREACHED = [
    CASE_ID,
    CENTRE_ID,
    Column("centre_name", "centre", "帮扶中心"),
    Column("reason", "reason", "原因代码"),
    Column("reason_zh", "reason (zh)", "未覆盖原因"),
    Column("note", "note", "说明"),
]
