"""One module per area of the web app; ROUTERS lists them all (paths under /app/)."""

from __future__ import annotations

from fastapi import APIRouter

from api.web.pages import (
    account,
    approvals,
    archive,
    archive_history,
    archive_referrals,
    archive_stats,
    audit,
    audit_flows,
    audit_funds,
    audit_package,
    audit_reports,
    audit_trail,
    campaigns,
    funds,
    funds_forms,
    funds_payments,
    home,
    households,
    households_case,
    households_filing,
    households_referrals,
    policy,
    rosters,
    users,
)

ROUTERS: tuple[APIRouter, ...] = tuple(
    module.router
    for module in (
        home,
        account,
        households,
        households_case,
        households_filing,
        households_referrals,
        funds,
        funds_forms,
        funds_payments,
        approvals,
        rosters,
        campaigns,
        archive,
        archive_history,
        archive_referrals,
        archive_stats,
        audit,
        audit_funds,
        audit_flows,
        audit_reports,
        audit_trail,
        audit_package,
        policy,
        users,
    )
)
