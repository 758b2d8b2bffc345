"""`bangfu`: the command line. Each group of commands lives in its own module."""

from __future__ import annotations

from cli import (
    approval_commands,
    backup_commands,
    campaign_commands,
    filing_commands,
    key_commands,
    ledger_commands,
    matching_commands,
    ops_commands,
    policy_commands,
    projection_commands,
    referral_commands,
    review_commands,
    roster_commands,
    schedule_commands,
    supervision_commands,
)
from cli.base import app

__all__ = [
    "app",
    "approval_commands",
    "backup_commands",
    "campaign_commands",
    "filing_commands",
    "key_commands",
    "ledger_commands",
    "matching_commands",
    "ops_commands",
    "policy_commands",
    "projection_commands",
    "referral_commands",
    "review_commands",
    "roster_commands",
    "schedule_commands",
    "supervision_commands",
]

if __name__ == "__main__":
    app()
