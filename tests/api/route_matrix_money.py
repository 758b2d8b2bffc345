"""The route matrix's entries for a centre's money work (issue 11): payment requests and their
checkers (支付审批), campaigns (两节送温暖 ...), recurring subsidies (定期生活补助), rosters in and
bank files out (花名册, 银行代发).

``test_route_matrix.py`` merges ``MONEY_WORK_ROUTES`` into its ``TABLE``; this module takes the
world, the rules and their constants from it (it imports this one after defining them), so it
is imported through ``test_route_matrix`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.test_route_matrix import (
    CASES,
    FEBRUARY,
    MONEY,
    ONE_YUAN,
    READ_ANY,
    READ_SUBTREE,
    Call,
    Rule,
    World,
    _names,
    by_centre,
    roles,
)

MONEY_STAFF = roles(admin="any", finance="any")  # who may record and approve money, anywhere
OK = frozenset({200})  # an upload answers its report (no new id)
_made: dict[tuple[str, str], str] = {}  # (the world's case, what) -> the one made for reads


def once(w: World, what: str, make: Callable[[World], str]) -> str:
    """The world's one ``what`` (made by the first cell that needs it), for reads and repeats."""
    if (w.case, what) not in _made:
        _made[w.case, what] = make(w)
    return _made[w.case, what]


# --- maker-checker: every request is the (unbound) admin's, so no cell's user is its maker ----
def request_body(w: World) -> dict[str, Any]:
    """1 yuan from the district's fund to the world's case, asked today: a request runs out
    30 days after it is made (by the clock), so it carries no fixed date."""
    paid = {"fund_id": w.district_fund, "case_id": w.case, "assistance_type": "living_relief"}
    return paid | {"amount": "1.00"}


def a_request(w: World) -> str:
    return w.api.created("/payment-requests", request_body(w))


def the_request(w: World) -> str:
    return once(w, "request", a_request)


# --- campaigns -------------------------------------------------------------------------------
def campaign_body(w: World, centre: str, budget: str) -> dict[str, Any]:
    return {
        "centre_id": centre, "kind": "spring_festival_warmth", "name": f"送温暖{next(_names)}",
        "starts_on": "2026-01-10", "ends_on": "2026-12-31", "fund_ids": [w.district_fund],
        "budget": budget,
    }  # fmt: skip


def a_campaign(w: World, centre: str | None = None) -> str:
    """A new campaign at the district (or ``centre``, at or below it) drawing on its fund."""
    body = campaign_body(w, centre or w.district, "1000.00") | {"business_date": "2026-01-05"}
    return w.api.created("/campaigns", body)


def the_campaign(w: World) -> str:
    return once(w, "campaign", a_campaign)


def an_empty_campaign(w: World) -> str:
    """A campaign at a new community below the street: no household on its roster, so that it
    closes without reasons."""
    community = {"name": f"社区{next(_names)}", "level": "community", "parent_id": w.street}
    return a_campaign(w, w.api.created("/centres", community))


# --- recurring subsidies: no standard is in force in the world, so each gives its amount ------
def a_schedule(w: World) -> str:
    """A new schedule of 1 yuan a month for the world's case, February to July 2026."""
    body = {"case_id": w.case, "fund_id": w.district_fund, "start_month": "2026-02"}
    more = {"months": 6, "amount": "1.00", "reason": "矩阵测试"} | FEBRUARY
    return w.api.created("/schedules", body | more)


def the_schedule(w: World) -> str:
    return once(w, "schedule", a_schedule)


# --- rosters and bank files: CSV uploads -------------------------------------------------------
def csv_file(name: str, *lines: str) -> tuple[str, bytes, str]:
    return name, "\n".join(lines).encode(), "text/csv"


def a_roster(w: World) -> tuple[str, bytes, str]:
    """One row of 1 yuan to the world's case, in a roster of a name of its own (a row's key is
    the roster's name and its 序号: a new name, a new payment)."""
    header = "序号,档案编号,帮扶类型,金额（元）,业务日期"
    return csv_file(f"矩阵{next(_names)}.csv", header, f"1,{w.case},living_relief,1.00,2026-02-01")


def a_return(w: World) -> tuple[str, bytes, str]:
    """The bank's return file: a new payment of the district's fund failed."""
    return csv_file(
        "回盘.csv", "业务参考号,处理结果,失败原因", f"{w.fresh_payment()},失败,账户已销户"
    )


def roster_upload(path: str) -> Rule:
    """A roster from the district's fund: refused as a whole unless the user may pay from it."""
    return Rule(
        MONEY,
        lambda w: Call(path, body={"fund_id": w.district_fund}, upload=a_roster(w)),
        allowed=OK,
    )


MONEY_WORK_ROUTES: dict[tuple[str, str], tuple[Rule, ...]] = {
    # --- maker-checker (支付审批): a checker of the fund's centre or above, not the maker ---
    ("POST", "/payment-requests"): (
        Rule(MONEY, lambda w: Call("/payment-requests", body=request_body(w))),
    ),
    ("POST", "/payment-requests/{request_id}/approval"): (
        Rule(MONEY, lambda w: Call(f"/payment-requests/{a_request(w)}/approval", body={})),
    ),
    ("POST", "/payment-requests/{request_id}/rejection"): (
        Rule(
            MONEY,
            lambda w: Call(f"/payment-requests/{a_request(w)}/rejection", body={"reason": "不符"}),
        ),
    ),
    ("POST", "/payment-requests/{request_id}/void"): (  # its maker (the admin) or a checker
        Rule(
            MONEY, lambda w: Call(f"/payment-requests/{a_request(w)}/void", body={"reason": "重复"})
        ),
    ),
    ("GET", "/payment-requests/{request_id}"): (
        Rule(READ_SUBTREE, lambda w: Call(f"/payment-requests/{the_request(w)}")),
    ),
    ("GET", "/payment-requests"): by_centre("/payment-requests"),
    ("GET", "/approvals/queue"): (Rule(MONEY_STAFF, lambda w: Call("/approvals/queue")),),
    ("POST", "/approvals/expire"): (
        Rule(MONEY_STAFF, lambda w: Call("/approvals/expire", body={})),
    ),
    # --- campaigns (两节送温暖 ...) ---
    ("POST", "/campaigns"): (
        Rule(MONEY, lambda w: Call("/campaigns", body=campaign_body(w, w.district, "1.00"))),
    ),
    ("POST", "/campaigns/{campaign_id}/visits"): (
        Rule(
            CASES,
            lambda w: Call(
                f"/campaigns/{the_campaign(w)}/visits",
                body=FEBRUARY | {"case_id": w.case, "visitors": ["矩阵"]},
            ),
        ),
    ),
    ("POST", "/campaigns/{campaign_id}/payments"): (
        Rule(
            MONEY,
            lambda w: Call(
                f"/campaigns/{the_campaign(w)}/payments",
                body=ONE_YUAN | {"case_id": w.case, "fund_id": w.district_fund},
            ),
        ),
    ),
    ("POST", "/campaigns/{campaign_id}/exceptions"): (
        Rule(
            CASES,
            lambda w: Call(
                f"/campaigns/{the_campaign(w)}/exceptions",
                body=FEBRUARY | {"case_id": w.case, "reason": "refused"},
            ),
        ),
    ),
    ("POST", "/campaigns/{campaign_id}/close"): (
        Rule(MONEY, lambda w: Call(f"/campaigns/{an_empty_campaign(w)}/close", body=FEBRUARY)),
    ),
    ("GET", "/campaigns/{campaign_id}"): (
        Rule(READ_SUBTREE, lambda w: Call(f"/campaigns/{the_campaign(w)}")),
    ),
    ("GET", "/campaigns/{campaign_id}/coverage"): (
        Rule(READ_SUBTREE, lambda w: Call(f"/campaigns/{the_campaign(w)}/coverage")),
    ),
    ("GET", "/campaigns"): by_centre("/campaigns"),
    # --- recurring subsidies (定期生活补助): finance of the fund's centre ---
    ("POST", "/schedules"): (
        Rule(
            MONEY,
            lambda w: Call(
                "/schedules",
                body={"case_id": w.case, "fund_id": w.district_fund, "start_month": "2026-03"}
                | {"months": 1, "amount": "1.00", "reason": "矩阵测试"},
            ),
        ),
    ),
    ("POST", "/schedules/{schedule_id}/payments"): (  # paid once, then "already paid": 201
        Rule(
            MONEY,
            lambda w: Call(
                f"/schedules/{the_schedule(w)}/payments", body=FEBRUARY | {"month": "2026-02"}
            ),
        ),
    ),
    ("POST", "/schedules/{schedule_id}/stop"): (
        Rule(
            MONEY,
            lambda w: Call(f"/schedules/{a_schedule(w)}/stop", body=FEBRUARY | {"reason": "就业"}),
        ),
    ),
    ("POST", "/schedules/runs"): (
        Rule(
            MONEY,
            lambda w: Call(
                "/schedules/runs", body=FEBRUARY | {"centre_id": w.district, "month": "2026-02"}
            ),
        ),
    ),
    ("GET", "/schedules/{schedule_id}"): (
        Rule(READ_SUBTREE, lambda w: Call(f"/schedules/{the_schedule(w)}")),
    ),
    ("GET", "/schedules"): by_centre("/schedules"),
    # --- rosters in, bank files out (花名册, 银行代发) ---
    ("GET", "/rosters/template.xlsx"): (Rule(READ_ANY, lambda w: Call("/rosters/template.xlsx")),),
    ("POST", "/rosters/validate"): (roster_upload("/rosters/validate"),),
    ("POST", "/rosters/import"): (roster_upload("/rosters/import"),),
    # names and cards, a personal-data read: those who may pay from the fund
    ("GET", "/rosters/bank-file"): (
        Rule(MONEY, lambda w: Call("/rosters/bank-file", {"fund_id": w.district_fund})),
    ),
    # each line reverses its payment as its fund's finance staff may (a line they may not is
    # refused in the report); those who may record no money are refused the upload itself
    ("POST", "/rosters/bank-returns"): (
        Rule(MONEY_STAFF, lambda w: Call("/rosters/bank-returns", upload=a_return(w)), allowed=OK),
    ),
}
