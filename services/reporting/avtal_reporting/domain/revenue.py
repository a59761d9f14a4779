"""Revenue read-model rules: revenue is recognised in the month of the invoice date."""

from __future__ import annotations

from datetime import date


def revenue_month(issue_date: date) -> date:
    return issue_date.replace(day=1)
