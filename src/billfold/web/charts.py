"""The home page's charts as data for `static/charts.js` (uPlot, vendored): per UTC day
of the stats window, what was issued, spent and expired, and the outstanding balance
at the end of each day. Amounts stay integers in minor units; the script divides by
`scale` only to label the axes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from billfold import contract
from billfold.money import precision


def home_chart(stats: contract.Stats, units: dict[str, str],
               gettext: Callable[[str], str]) -> dict[str, Any]:
    """The outstanding balance is worked back from today's: each day's end is the next
    day's end less what that next day added (issued less spent, expired and voided)."""
    currency = stats.currency
    outstanding_now = sum(amount for program, amount in stats.outstanding.items()
                          if units.get(program, currency) == currency)
    ends = []
    balance = outstanding_now
    for day in reversed(stats.series):
        ends.append(balance)
        balance -= day.issued - day.spent - day.expired - day.voided
    ends.reverse()
    return {
        "unit": currency, "scale": 10 ** precision(currency),
        "days": [int(datetime.fromisoformat(d.date).replace(tzinfo=UTC).timestamp())
                 for d in stats.series],
        "issued": [d.issued for d in stats.series],
        "spent": [d.spent for d in stats.series],
        "expired": [d.expired for d in stats.series],
        "outstanding": ends,
        "labels": {name: gettext(name.capitalize()) for name in (
            "issued", "spent", "expired", "outstanding")},
    }
