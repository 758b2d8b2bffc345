"""The texts of the funds pages: key -> (Chinese, English)."""

from __future__ import annotations

FUNDS: dict[str, tuple[str, str]] = {
    # the list
    "funds.list.title": ("资金账户", "Funds"),
    "funds.list.none": ("没有符合条件的资金", "No fund matches"),
    "funds.export_list": ("导出 Excel", "Export to Excel"),
    "funds.export_statement": ("导出资金明细账 (Excel)", "Export the statement (Excel)"),
    "funds.name": ("资金名称", "Fund"),
    "funds.name_source": ("资金名称 / 来源", "Fund / source"),
    "funds.name_contains": ("名称包含", "Name contains"),
    "funds.source": ("资金来源", "Source"),
    "funds.year": ("年度", "Fiscal year"),
    "funds.purposes": ("限定用途", "Earmarked for"),
    "funds.received": ("拨入", "Receipts"),
    "funds.allocated_in": ("上级下拨", "Allocated in"),
    "funds.allocated_out": ("下拨下级", "Allocated down"),
    "funds.returned": ("退回/上缴", "Returns"),
    "funds.returns_received": ("下级退回", "Returns received"),
    "funds.disbursed": ("帮扶支出", "Paid"),
    "funds.reversed": ("支出冲正", "Reversals"),
    "funds.paid": ("帮扶支出（净额）", "Paid (net)"),
    "funds.balance": ("余额", "Balance"),
    "funds.balance_available": ("余额 / 可用余额", "Balance / available"),
    "funds.available": ("可用余额", "Available"),
    "funds.available_hint": (
        "可用余额 = 余额减去待审批的支出（目前没有待审批的支出）",
        "Available = the balance less payments awaiting approval (none await approval yet)",
    ),
    "funds.balance_of": ("{name} 的余额", "Balance of {name}"),
    # one fund
    "funds.fund": ("资金", "Fund"),
    "funds.parent": ("上级资金", "Parent fund"),
    "funds.parent_outside": ("在您的范围之外", "Outside your scope"),
    "funds.top_fund": ("无（本级资金）", "None (a top fund)"),
    "funds.totals": ("累计发生额", "Totals"),
    "funds.actions": ("资金业务", "Money actions"),
    "funds.postings": ("资金明细", "Postings"),
    "funds.postings.none": ("没有符合条件的明细", "No posting matches"),
    "funds.no": ("序号", "No."),
    "funds.movement": ("业务类型", "Movement"),
    "funds.from": ("起始日期", "From"),
    "funds.to": ("截止日期", "To"),
    "funds.balance_after": ("余额", "Balance after"),
    "funds.counterparty": ("对方", "Counterparty"),
    "funds.party.payer": ("拨款单位", "Payer"),
    "funds.party.parent_fund": ("上级资金", "Parent fund"),
    "funds.party.child_fund": ("下级资金", "Child fund"),
    "funds.party.case": ("档案", "Case"),
    "funds.assistance_type": ("帮扶类型", "Assistance type"),
    "funds.reference": ("凭证号/摘要", "Reference / note"),
    "funds.reference_hint": ("选填，最多 200 字", "Optional, at most 200 characters"),
    "funds.business_date": ("业务日期", "Business date"),
    "funds.recorded": (
        "已记录：{what} {amount}，记账后余额 {balance}。",
        "Recorded: {what} {amount}; the balance after it is {balance}.",
    ),
    "funds.recorded_before": (
        "该表单此前已提交并记录，未重复记账。",
        "This form had been sent and recorded before; nothing was recorded twice.",
    ),
    "funds.open_payment": ("查看该笔支出", "Open the payment"),
    # the forms
    "funds.action.receive": ("拨入", "Record a receipt"),
    "funds.action.allocate": ("下拨", "Allocate down"),
    "funds.action.return": ("上缴/退回", "Return"),
    "funds.action.pay": ("录入帮扶支出", "Record a payment"),
    "funds.submit.receive": ("记录拨入", "Record the receipt"),
    "funds.submit.allocate": ("下拨", "Allocate"),
    "funds.submit.return": ("记录上缴/退回", "Record the return"),
    "funds.submit.pay": ("记录支出", "Record the payment"),
    "funds.amount_yuan": ("金额（元）", "Amount (yuan)"),
    "funds.amount_hint": ("如 1234.50，最多两位小数", "e.g. 1234.50, at most two decimals"),
    "funds.payer": ("拨款单位", "Payer"),
    "funds.payer_hint": ("如 财政部、省总工会", "e.g. the Ministry of Finance"),
    "funds.receive.explain": (
        "记录从账外拨入本资金的款项（如财政拨款、上级工会拨款、捐赠）。",
        "Record money received into this fund from outside the ledger (an appropriation, a "
        "donation).",
    ),
    "funds.allocate.explain": (
        "将本资金下拨给直属下级中心；下级中心的同名资金会自动开立。",
        "Send money to a centre directly below this fund's centre; its fund of the same name "
        "opens by itself.",
    ),
    "funds.allocate.no_children": (
        "本资金所在中心没有下级中心，无法下拨。",
        "This fund's centre has no centre below it to allocate to.",
    ),
    "funds.to_centre": ("下拨至", "Allocate to"),
    "funds.return.to_parent": (
        "款项将上缴至上级资金「{name}」（{centre}）。",
        "The money goes back up to the parent fund “{name}” ({centre}).",
    ),
    "funds.return.to_parent_outside": (
        "款项将上缴至上级资金。",
        "The money goes back up to the parent fund.",
    ),
    "funds.return.to_payer": (
        "本资金为本级资金，款项将退回拨款单位。",
        "This is a top fund: the money goes back to its payer.",
    ),
    "funds.pay.explain": (
        "从本资金向困难职工家庭支付帮扶款；只能支付本资金所在中心及其下级中心的在档家庭。",
        "Pay a household from this fund: only active cases at this fund's centre or below.",
    ),
    "funds.case": ("档案编号", "Archive number"),
    "funds.case_placeholder": ("输入或选择档案编号", "Type or choose an archive number"),
    "funds.pay.cases_listed": (
        "列表中有 {count} 个可支付的在档家庭（输入时可选择）。",
        "{count} active households this fund may pay are offered as you type.",
    ),
    "funds.category": ("困难类别", "Category"),
    "funds.lookup.not_found": (
        "在您的范围内没有这个档案",
        "No case with this number in your scope",
    ),
    "funds.lookup.not_an_id": ("档案编号格式不正确", "This is not an archive number"),
    "funds.lookup.closed": ("该档案已结档，不能支付", "This case is closed: it takes no payments"),
    "funds.lookup.outside": (
        "该家庭不在本资金所在中心的范围内",
        "This household is outside this fund's centre and its subtree",
    ),
    # a payment
    "funds.payment.title": ("帮扶支出", "Payment"),
    "funds.payment.id": ("支付编号", "Payment id"),
    "funds.payment.reversed": ("已冲正", "Reversal recorded"),
    "funds.payment.reversal": ("冲正", "Reversal"),
    "funds.payment.not_reversed": ("该笔支出未冲正。", "This payment has not been reversed."),
    "funds.payment.reversal_done": (
        "已冲正：{amount} 已退回资金。",
        "Reversed: {amount} went back to the fund.",
    ),
    "funds.payment.balance_now": (
        "资金余额现为 {balance}。",
        "The fund's balance is now {balance}.",
    ),
    "funds.payment.name_withheld": (
        "（您的角色不能查看个人信息）",
        "(your role may not read personal data)",
    ),
    "funds.payment.erased": ("（个人信息已销毁）", "(personal data erased)"),
    "funds.household": ("困难职工", "Household"),
    "funds.household_centre": ("所属中心及状态", "Centre and status"),
    "funds.recorded_by": ("经办人及记录时间", "Recorded by, at"),
    "funds.reason": ("冲正原因", "Reason"),
    "funds.reverse.explain": (
        "冲正后款项退回资金，原支出记录保留并标明冲正。",
        "A reversal returns the money to the fund; the payment stays on record, marked reversed.",
    ),
    "funds.reverse.date_hint": ("不填则为今天", "Today if left empty"),
    "funds.reverse.submit": ("冲正该笔支出", "Reverse this payment"),
    # choosing the fund of a payment
    "funds.choose.title": ("录入帮扶支出：选择资金", "Record a payment: choose the fund"),
    "funds.choose.explain": (
        "以下是您可以支出的、有余额的资金。",
        "These are the funds you may pay from that hold money.",
    ),
    "funds.choose.pay_from": ("从此资金支出", "Pay from this fund"),
    "funds.choose.none": ("没有可支出的资金", "No fund you may pay from holds money"),
    # what is wrong with a field, and the ledger's refusals
    "funds.error.amount": (
        "金额应为大于零、最多两位小数的数字，如 1234.50",
        "An amount above zero with at most two decimals is expected, e.g. 1234.50",
    ),
    "funds.error.too_long": ("最多 200 字", "At most 200 characters"),
    "funds.error.control": ("含有不可打印的字符", "It holds a character that cannot be printed"),
    "funds.error.date_window": (
        "业务日期应在 1949-10-01 至一年后之间",
        "A business date from 1949-10-01 to a year from today is expected",
    ),
    "funds.refused.insufficient": (
        "余额不足：本资金余额 {balance}，少于本次金额 {amount}",
        "The fund holds {balance}, less than the {amount} asked for",
    ),
    "funds.refused.invalid-amount": ("金额不正确", "The amount is not valid"),
    "funds.refused.purpose-not-allowed": (
        "本资金的限定用途不包括该帮扶类型",
        "The fund is not earmarked for this assistance type",
    ),
    "funds.refused.case-closed": ("该档案已结档，不能支付", "The case is closed"),
    "funds.refused.case-not-found": ("没有这个档案", "No such case"),
    "funds.refused.case-outside-fund-tree": (
        "该家庭不在本资金所在中心的范围内",
        "The household is outside this fund's centre and its subtree",
    ),
    "funds.refused.not-a-child-centre": (
        "只能下拨给直属下级中心",
        "Money goes down one level at a time, to a direct child centre",
    ),
    "funds.refused.centre-not-found": ("没有这个中心", "No such centre"),
    "funds.refused.already-reversed": ("该笔支出已冲正", "The payment was already reversed"),
    "funds.refused.no-parent-fund": (
        "没有可上缴的上级资金",
        "There is no parent fund to return to",
    ),
    "funds.refused.idempotency-key-reused": (
        "该表单已提交过其他内容，请重新打开表单",
        "This form was already sent with other values; open the form again",
    ),
    "funds.refused.busy": ("系统繁忙，请再提交一次", "Busy; send the form again"),
    # home page tiles
    "funds.tile.funds": ("资金账户", "Funds"),
    "funds.tile.funds_text": (
        "查看余额与明细，办理拨入、下拨、上缴和冲正",
        "Balances and postings; receipts, allocations, returns and reversals",
    ),
    "funds.tile.pay": ("录入帮扶支出", "Record a payment"),
    "funds.tile.pay_text": (
        "从有余额的资金向困难职工家庭支付",
        "Pay a household from a fund that holds money",
    ),
    "funds.tile.read": ("资金账户", "Funds"),
    "funds.tile.read_text": (
        "各中心资金的余额、来源和明细账",
        "Every centre's funds: balances, sources and statements",
    ),
}
