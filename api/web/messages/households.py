"""The texts of the households pages: key -> (Chinese, English)."""

from __future__ import annotations

HOUSEHOLDS: dict[str, tuple[str, str]] = {
    # home page tiles
    "households.tile.find": ("查找困难职工家庭", "Find a household"),
    "households.tile.find_text": (
        "按姓名、身份证号或档案编号查找，查看档案、记录走访与复核",
        "By name, ID number or archive number; see the archive, record visits and reviews",
    ),
    "households.tile.find_text_read": (
        "按姓名、身份证号或档案编号查找，查看档案与全部记录",
        "By name, ID number or archive number; see the archive and its full history",
    ),
    "households.tile.file": ("建档", "File a household"),
    "households.tile.file_text": (
        "为困难职工家庭建立档案（一户一档）",
        "Open the archive of a household in hardship (one archive per household)",
    ),
    # search
    "households.search.title": ("查找困难职工家庭", "Find a household"),
    "households.search.intro": (
        "在您的范围内按姓名、身份证号或档案编号查找；也可只按状态、类别、中心筛选。",
        "Search your subtree by name, ID number or archive number, or just filter by status, "
        "category and centre.",
    ),
    "households.search.intro_numbers": (
        "在您的范围内按档案编号查找，或按状态、类别、中心筛选（您的角色不能查看个人信息）。",
        "Search your subtree by archive number, or filter by status, category and centre (your "
        "role may not read personal data).",
    ),
    "households.search.q": ("查找内容", "Search for"),
    "households.search.q_hint": (
        "姓名（可只输部分）、18 位身份证号，或档案编号（至少前 8 位）",
        "A name (or part of it), an 18-character ID number, or an archive number (its first 8 "
        "characters or more)",
    ),
    "households.search.q_hint_numbers": (
        "档案编号（至少前 8 位）",
        "An archive number (its first 8 characters or more)",
    ),
    "households.search.by": ("查找方式", "Search by"),
    "households.search.by_auto": ("自动识别", "Recognise it"),
    "households.search.by_name": ("姓名", "Name"),
    "households.search.by_id_number": ("身份证号", "ID number"),
    "households.search.by_number": ("档案编号", "Archive number"),
    "households.search.results": ("结果", "Results"),
    "households.search.listed": ("共 {count} 户", "{count} households"),
    "households.search.found_by_name": (
        "按姓名找到 {count} 户",
        "{count} households found by name",
    ),
    "households.search.found_by_id_number": (
        "按身份证号找到 {count} 户（仅在档档案）",
        "{count} households found by ID number (open archives only)",
    ),
    "households.search.found_by_number": (
        "按档案编号找到 {count} 户",
        "{count} households found by archive number",
    ),
    "households.search.none": (
        "您的范围内没有符合条件的家庭。",
        "No household in your subtree matches.",
    ),
    "households.search.read_recorded": (
        "按姓名查找需要解密范围内各户的个人信息，本次查阅已记录在案。",
        "A search by name decrypts the personal data of the households in scope; this read has "
        "been recorded.",
    ),
    "households.search.truncated": (
        "范围内家庭超过 {limit} 户，仅列出按档案编号排在前面的 {limit} 户；请用筛选条件缩小范围。",
        "More than {limit} households are in scope; only the first {limit} by archive number are "
        "listed. Narrow the list with the filters.",
    ),
    "households.search.too_many": (
        "范围内家庭太多，无法按姓名查找；请先选择中心、状态或类别缩小范围。",
        "Too many households are in scope to search by name; choose a centre, status or category "
        "first.",
    ),
    "households.search.bad_number": (
        "档案编号应为至少 8 位的十六进制字符（0-9、a-f）",
        "An archive number is at least 8 hexadecimal characters (0-9, a-f)",
    ),
    "households.search.number_only": (
        "您的角色不能按姓名或身份证号查找",
        "Your role may not search by name or ID number",
    ),
    "households.search.use_the_button": (
        "按姓名或身份证号查找请使用查询按钮（个人信息不放在网址中）",
        "Search by name or ID number with the Search button (personal data stays out of URLs)",
    ),
    # fields
    "households.field.number": ("档案编号", "Archive number"),
    "households.field.name": ("姓名", "Name"),
    "households.field.id_number": ("身份证号", "ID number"),
    "households.field.id_number_hint": (
        "18 位，最后一位可为 X",
        "18 characters; the last may be X",
    ),
    "households.field.phone": ("联系电话", "Telephone"),
    "households.field.bank_card": ("银行卡号", "Bank card number"),
    "households.field.bank_card_hint": ("12 至 19 位数字", "12 to 19 digits"),
    "households.field.health": ("健康状况", "Health"),
    "households.field.category": ("困难类别", "Category"),
    "households.field.primary_cause": ("主要致困原因", "Primary cause"),
    "households.field.secondary_causes": ("其他致困原因", "Other causes"),
    "households.field.secondary_causes_hint": (
        "最多选 3 项，不含主要原因",
        "At most three, not the primary cause",
    ),
    "households.field.household_size": ("家庭人口", "Household size"),
    "households.field.household_size_short": ("人口", "People"),
    "households.field.income": ("家庭月人均收入（元）", "Monthly income per head (yuan)"),
    "households.field.income_hint": ("如 650.00，可为 0", "e.g. 650.00; may be 0"),
    "households.field.flags": ("家庭情况", "Household flags"),
    "households.field.filed_on": ("建档日期", "Filed on"),
    "households.field.last_visit": ("最近走访", "Last visit"),
    "households.field.last_review": ("最近复核", "Last review"),
    "households.field.assisted_this_year": ("本年帮扶", "Assisted this year"),
    "households.field.business_date": ("业务日期", "Date"),
    "households.field.note": ("备注", "Note"),
    "households.form.whole_number": ("请输入整数", "A whole number is expected"),
    # family members
    "households.member.title": ("家庭成员", "Family members"),
    "households.member.hint": (
        "不含户主本人；空行不保存",
        "Not the worker themself; empty rows are not saved",
    ),
    "households.member.legend": ("家庭成员 {n}", "Family member {n}"),
    "households.member.name": ("成员姓名", "Member's name"),
    "households.member.relation": ("与户主关系", "Relation"),
    "households.member.relation_hint": ("如 配偶、子女", "e.g. spouse, child"),
    "households.member.id_number": ("成员身份证号", "Member's ID number"),
    "households.member.add": ("再添一位家庭成员", "Add a family member"),
    "households.member.max": ("最多 20 位家庭成员", "At most 20 family members"),
    # filing
    "households.file.title": ("建档", "File a household"),
    "households.file.intro": (
        "填写困难职工家庭的信息；个人信息加密保存，每户只能有一份在档档案（一户一档）。",
        "Enter the household's details; personal data is stored encrypted, and a household has "
        "one open archive only (一户一档).",
    ),
    "households.file.one_step": (
        "目前建档一步完成。申请 → 审核 → 入户核查 → 公示 → 建档 的流程上线后，本页将分步进行。",
        "Filing is one step today. When the filing workflow (application → review → home check "
        "→ public notice → filing) lands, this page gains its steps.",
    ),
    "households.file.worker": ("户主（困难职工）", "The worker"),
    "households.file.hardship": ("困难情况", "Hardship"),
    "households.file.filing": ("建档信息", "Filing"),
    "households.file.submit": ("建档", "File the household"),
    "households.file.fix": (
        "有 {count} 处需要修改，见各栏旁的说明",
        "{count} fields need attention; see beside each",
    ),
    "households.file.duplicate": (
        "此身份证号已有在档档案（一户一档），不能再建第二份",
        "This ID number already has an open archive (one per household); a second is refused",
    ),
    "households.file.duplicate_here": (
        "此人已在您的范围内建档，不能重复建档。",
        "This person already has an open archive in your subtree; it cannot be filed twice.",
    ),
    "households.file.duplicate_elsewhere": (
        "此人已在您范围以外的中心建档，不能重复建档；如需转入，请联系上级中心。",
        "This person already has an open archive outside your subtree; ask the centre above you "
        "to transfer it.",
    ),
    "households.file.open_existing": (
        "打开已有档案 {number}",
        "Open the existing archive {number}",
    ),
    # the case page
    "households.case.title": ("档案 {number}", "Archive {number}"),
    "households.case.archive": ("档案信息", "The archive"),
    "households.case.person": ("个人信息", "Personal data"),
    "households.case.read_recorded": (
        "本次查阅个人信息已记录在案。",
        "This read of personal data has been recorded.",
    ),
    "households.case.withheld": (
        "您的角色不能查看个人信息。",
        "Your role may not read personal data.",
    ),
    "households.case.erased": (
        "此户的个人信息已销毁。",
        "This household's personal data has been erased.",
    ),
    "households.case.never": ("尚未走访", "Never"),
    "households.case.visits": ("共 {count} 次", "{count} in all"),
    "households.case.assisted_in": ("{year} 年帮扶", "Assisted in {year}"),
    "households.case.assisted_total": ("累计帮扶", "Assisted in all"),
    "households.case.actions": ("办理", "Actions"),
    "households.case.referrals_later": (
        "转介（低保、医疗救助等）尚未纳入台账，上线后在此办理。",
        "Referrals (低保, medical aid …) are not in the ledger yet; they will be made here.",
    ),
    "households.done.filed": ("已建档", "The household has been filed"),
    "households.done.visit": ("走访已记录", "The visit has been recorded"),
    "households.done.review": ("复核已记录", "The review has been recorded"),
    "households.done.close": ("档案已结档", "The archive has been closed"),
    "households.done.reopen": ("档案已重新启用", "The archive has been reopened"),
    # actions
    "households.visit.title": ("记录走访", "Record a visit"),
    "households.visit.kind": ("走访类型", "Kind"),
    "households.visit.campaign": ("活动", "Campaign"),
    "households.visit.campaign_needed": (
        "活动走访须选择活动",
        "A campaign visit names its campaign",
    ),
    "households.visit.routine_no_campaign": (
        "日常走访不选活动",
        "A routine visit names no campaign",
    ),
    "households.visit.visitors": ("走访人员", "Visitors"),
    "households.visit.visitors_hint": (
        "多人用逗号或顿号分隔",
        "Separate several names with commas",
    ),
    "households.visit.notes": ("走访情况", "Notes"),
    "households.visit.goods": ("慰问物品（可不填）", "Goods given (optional)"),
    "households.visit.item": ("物品", "Item"),
    "households.visit.value": ("价值（元）", "Value (yuan)"),
    "households.visit.submit": ("记录走访", "Record the visit"),
    "households.review.title": ("记录复核", "Record a review"),
    "households.review.hint": (
        "按复核结果填写；已填入当前档案信息。",
        "Enter what the review found; the archive's current assessment is filled in.",
    ),
    "households.review.submit": ("记录复核", "Record the review"),
    "households.close.title": ("结档", "Close the archive"),
    "households.close.reason": ("结档原因", "Reason"),
    "households.close.submit": ("结档", "Close the archive"),
    "households.reopen.title": ("返困重新启用", "Reopen (relapse)"),
    "households.reopen.hint": (
        "返困时重新启用已结档的档案。",
        "Reopen a closed archive when the household falls back into hardship.",
    ),
    "households.reopen.submit": ("重新启用", "Reopen the archive"),
    # the timeline
    "households.timeline.title": ("档案记录", "Timeline"),
    "households.timeline.caption": (
        "全部 {count} 条记录，最新在前",
        "All {count} entries, newest first",
    ),
    "households.timeline.business_date": ("业务日期", "Date"),
    "households.timeline.event": ("事项", "Event"),
    "households.timeline.details": ("内容", "Details"),
    "households.timeline.people": ("{count} 人", "{count} people"),
    "households.timeline.income": ("月人均收入 {amount}", "{amount} a head a month"),
    "households.timeline.visitors": ("走访人员：{names}", "Visitors: {names}"),
    # the ledger's refusals, beside the form
    "households.refused": ("{title}：{detail}", "{title}: {detail}"),
    "households.refused.invalid-id-number": ("身份证号无效", "The ID number is not valid"),
    "households.refused.invalid-household": ("家庭信息有误", "The household's details are wrong"),
    "households.refused.invalid-input": ("输入有误", "The input is not valid"),
    "households.refused.invalid-amount": ("金额有误", "The amount is not valid"),
    "households.refused.case-closed": ("档案已结档", "The archive is closed"),
    "households.refused.case-not-closed": ("档案未结档", "The archive is not closed"),
    "households.refused.duplicate-archive": (
        "已有在档档案（一户一档）",
        "An open archive exists already (one per household)",
    ),
    "households.refused.idempotency-key-reused": (
        "此表单已提交过，请刷新页面后重新填写",
        "This form was sent already; reload the page and fill it in again",
    ),
}
