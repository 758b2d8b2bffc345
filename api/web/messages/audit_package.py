"""The texts of the audit package page and of the verifier's checks: key -> (Chinese, English)."""

from __future__ import annotations

AUDIT_PACKAGE: dict[str, tuple[str, str]] = {
    "audit.package.title": ("审计包", "Audit package"),
    "audit.package.intro": (
        "审计包包含所选范围的全部记录、哈希链证明、签名检查点和公钥，不含个人信息；"
        "任何人可用 bangfu audit verify 离线验证。生成后本页即显示验证结果。",
        "An audit package holds every record of the scope, the hash-chain proofs, a signed "
        "checkpoint and the public key, and no personal data; anyone can verify it offline "
        "with bangfu audit verify. This page shows the verification once it is built.",
    ),
    "audit.package.scope": ("范围", "Scope"),
    "audit.package.fund": ("资金及其下级资金", "A fund and the funds below it"),
    "audit.package.fund_hint": ("可不选", "Optional"),
    "audit.package.centre": ("中心及其下属", "A centre and its subtree"),
    "audit.package.centre_hint_whole": (
        "选“全部”且不选资金即为全部账簿",
        "“All” with no fund chosen is the whole ledger",
    ),
    "audit.package.centre_hint_bound": (
        "只能选择您范围内的中心",
        "Only centres of your scope",
    ),
    "audit.package.scope_needed": (
        "请选择一个中心或一个资金",
        "Choose a centre or a fund",
    ),
    "audit.package.date_from": ("开始日期", "From"),
    "audit.package.date_to": ("结束日期", "To"),
    "audit.package.build": ("生成并验证", "Build and verify"),
    "audit.package.key": ("签名公钥 {key_id}，指纹", "Signed by key {key_id}, fingerprint"),
    "audit.package.recent": ("最近生成的审计包", "Recent packages"),
    "audit.package.asked": ("生成时间", "Asked at"),
    "audit.package.whole": ("全部账簿", "The whole ledger"),
    "audit.package.building": ("正在生成并验证…", "Building and verifying…"),
    "audit.package.building_hint": (
        "数据量大时可能需要几分钟，本页会自动更新。",
        "A large scope may take minutes; this page updates by itself.",
    ),
    "audit.package.reload": ("刷新", "Reload"),
    "audit.package.elapsed": ("已用 {seconds} 秒", "{seconds} s so far"),
    "audit.package.failed": ("未能生成审计包", "The package could not be built"),
    "audit.package.verified": ("验证通过", "Verified"),
    "audit.package.verified_detail": (
        "验证通过：{events} 条记录均与哈希链一致，链到达位置 {position} 的签名检查点，"
        "全部计算结果一致。",
        "Verified: {events} records match the chain, which reaches the signed checkpoint at "
        "position {position}; every computed figure matches.",
    ),
    "audit.package.not_verified": ("验证未通过", "It does not verify"),
    "audit.package.key_id": ("签名密钥编号", "Signing key id"),
    "audit.package.fingerprint": ("密钥指纹", "Key fingerprint"),
    "audit.package.published": ("与本系统公布的公钥", "The key this server publishes"),
    "audit.package.same_key": ("一致", "Matches"),
    "audit.package.other_key": ("不一致", "Differs"),
    "audit.package.size": ("大小", "Size"),
    "audit.package.bytes": ("{size} 字节", "{size} bytes"),
    "audit.package.checks": ("验证项目", "The checks"),
    "audit.package.check": ("检查", "Check"),
    "audit.package.result": ("结果", "Result"),
    "audit.package.ok": ("通过", "OK"),
    "audit.package.check_failed": ("未通过", "Failed"),
    "audit.package.download": ("下载审计包", "Download the package"),
    "audit.package.another": ("生成另一个审计包", "Build another package"),
    "audit.package.verify_yourself": (
        "离线复核：bangfu audit verify 文件名 --key-id {key_id}",
        "To check it yourself: bangfu audit verify FILE --key-id {key_id}",
    ),
    "audit.check.readable": ("是审计包格式", "It is an audit package"),
    "audit.check.files": ("每个文件与清单中的哈希一致", "Every file matches its hash"),
    "audit.check.events": ("每条记录与哈希链一致（未被篡改）", "Every record matches the chain"),
    "audit.check.positions": ("记录恰为清单所列", "The records are exactly those listed"),
    "audit.check.chain": ("哈希链到达签名检查点", "The chain reaches the signed checkpoint"),
    "audit.check.signature": ("检查点签名有效", "The checkpoint's signature verifies"),
    "audit.check.key": ("由本系统公布的公钥签名", "Signed by the key this server publishes"),
    "audit.check.figure.balances_and_flows": (
        "余额与流向可由记录重算",
        "Balances and flows recompute",
    ),
    "audit.check.figure.matching": ("配套情况可由记录重算", "Matching recomputes"),
    "audit.check.figure.suspicious_payments": (
        "可疑支付可由记录重算",
        "Suspicious payments recompute",
    ),
    "audit.check.figure.earmarks": ("专款专用检查可由记录重算", "Earmark checks recompute"),
    "audit.check.figure.provenance": ("资金追溯可由记录重算", "The provenance trace recomputes"),
    "audit.check.other": ("其他问题", "Other problems"),
}
