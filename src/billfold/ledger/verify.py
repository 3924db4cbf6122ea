"""`billfold verify`: recompute the books and compare them with what is stored.

Each check is one SQL statement that returns the rows breaking an invariant
of DESIGN.md (numbered as there). It reads; it never repairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from billfold.store.types import UtcDateTime

MAX_PROBLEMS_PER_CHECK = 100


@dataclass(frozen=True, slots=True)
class Problem:
    invariant: int
    check: str
    store_id: str
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    problems: tuple[Problem, ...]
    checks_run: int
    postings: int

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        if self.ok:
            return (f"OK: {self.checks_run} checks over {self.postings} postings; "
                    "the books balance.")
        lines = [f"FAILED: {len(self.problems)} problem(s) found."]
        for p in self.problems:
            lines.append(f"- invariant {p.invariant} ({p.check}) store {p.store_id} "
                         f"{p.subject}: {p.detail}")
        return "\n".join(lines)


# (invariant, name, SQL returning store_id, subject, detail-values…, message template)
_CHECKS: list[tuple[int, str, str, str]] = [
    (1, "transaction postings sum to zero", """
        SELECT store_id, transaction_id, SUM(amount), SUM(held_delta), SUM(pending_delta)
        FROM postings GROUP BY store_id, transaction_id, unit
        HAVING SUM(amount) <> 0 OR SUM(held_delta) <> 0 OR SUM(pending_delta) <> 0""",
     "postings sum to amount={0} held={1} pending={2}"),
    (1, "every transaction has postings", """
        SELECT t.store_id, t.transaction_id, t.type FROM transactions t
        WHERE (t.store_id, t.transaction_id) IN (
            SELECT store_id, transaction_id FROM transactions
            EXCEPT SELECT store_id, transaction_id FROM postings)""",
     "a {0} transaction with no postings"),
    (2, "wallet balance equals its lots' remaining", """
        SELECT a.store_id, a.account_id, a.balance, COALESCE(SUM(l.remaining), 0)
        FROM accounts a LEFT JOIN lots l
          ON l.store_id = a.store_id AND l.wallet_id = a.account_id
        WHERE a.kind = 'wallet' GROUP BY a.store_id, a.account_id, a.balance
        HAVING a.balance <> COALESCE(SUM(l.remaining), 0)""",
     "balance {0} but lots' remaining sum to {1}"),
    (2, "lot remaining and held equal their making and their entries", """
        SELECT l.store_id, l.lot_id, l.remaining, l.held,
               CASE WHEN t.lot_id = l.lot_id THEN l.amount ELSE 0 END
                   + COALESCE(SUM(e.amount), 0),
               COALESCE(SUM(e.held_delta), 0)
        FROM lots l
        LEFT JOIN transactions t
          ON t.store_id = l.store_id AND t.transaction_id = l.transaction_id
        LEFT JOIN lot_entries e ON e.store_id = l.store_id AND e.lot_id = l.lot_id
        GROUP BY l.store_id, l.lot_id, l.remaining, l.held, l.amount, t.lot_id
        HAVING l.remaining <> CASE WHEN t.lot_id = l.lot_id THEN l.amount ELSE 0 END
                              + COALESCE(SUM(e.amount), 0)
            OR l.held <> COALESCE(SUM(e.held_delta), 0)""",
     "remaining {0} held {1} but its making and entries sum to {2} and {3}"),
    (3, "lot remaining within 0..amount, held within 0..remaining", """
        SELECT store_id, lot_id, amount, remaining, held FROM lots
        WHERE remaining < 0 OR remaining > amount OR held < 0 OR held > remaining""",
     "amount {0} remaining {1} held {2}"),
    (4, "closed lots keep nothing spendable", """
        SELECT store_id, lot_id, status, remaining, held FROM lots
        WHERE status <> 'active' AND (remaining <> 0 OR held <> 0)""",
     "status {0} yet remaining {1} held {2}"),
    (4, "available equals unexpired lots' free part", """
        SELECT a.store_id, a.account_id,
               a.balance - a.held - COALESCE(SUM(CASE WHEN l.expires_at <= :now
                   THEN l.remaining - l.held ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN l.expires_at IS NULL OR l.expires_at > :now
                   THEN l.remaining - l.held ELSE 0 END), 0)
        FROM accounts a LEFT JOIN lots l ON l.store_id = a.store_id
          AND l.wallet_id = a.account_id AND l.status = 'active'
        WHERE a.kind = 'wallet' GROUP BY a.store_id, a.account_id, a.balance, a.held
        HAVING a.balance - a.held - COALESCE(SUM(CASE WHEN l.expires_at <= :now
                   THEN l.remaining - l.held ELSE 0 END), 0)
            <> COALESCE(SUM(CASE WHEN l.expires_at IS NULL OR l.expires_at > :now
                   THEN l.remaining - l.held ELSE 0 END), 0)""",
     "available {0} but unexpired lots hold {1}"),
    (5, "held equals open holds", """
        SELECT a.store_id, a.account_id, a.held,
               (SELECT COALESCE(SUM(h.amount), 0) FROM holds h WHERE h.store_id = a.store_id
                  AND h.wallet_id = a.account_id AND h.status = 'held'),
               (SELECT COALESCE(SUM(l.held), 0) FROM lots l WHERE l.store_id = a.store_id
                  AND l.wallet_id = a.account_id)
        FROM accounts a WHERE a.kind = 'wallet' AND (
          a.held <> (SELECT COALESCE(SUM(h.amount), 0) FROM holds h
                     WHERE h.store_id = a.store_id AND h.wallet_id = a.account_id
                       AND h.status = 'held')
          OR a.held <> (SELECT COALESCE(SUM(l.held), 0) FROM lots l
                        WHERE l.store_id = a.store_id AND l.wallet_id = a.account_id))""",
     "held {0}, open holds {1}, lots held {2}"),
    (5, "pending equals pending promises", """
        SELECT a.store_id, a.account_id, a.pending,
               (SELECT COALESCE(SUM(r.amount), 0) FROM promises r WHERE r.store_id = a.store_id
                  AND r.wallet_id = a.account_id AND r.status = 'pending')
        FROM accounts a WHERE a.kind = 'wallet' AND a.pending <>
               (SELECT COALESCE(SUM(r.amount), 0) FROM promises r WHERE r.store_id = a.store_id
                  AND r.wallet_id = a.account_id AND r.status = 'pending')""",
     "pending {0}, pending promises {1}"),
    (5, "a withdrawal's status matches its hold's", """
        SELECT w.store_id, w.withdrawal_id, w.status, COALESCE(h.status, 'missing')
        FROM withdrawals w LEFT JOIN holds h
          ON h.store_id = w.store_id AND h.hold_id = w.hold_id
        WHERE h.hold_id IS NULL
           OR NOT ((w.status = 'pending' AND h.status = 'held')
                OR (w.status = 'approved' AND h.status = 'captured'
                    AND h.captured_amount = w.amount)
                OR (w.status = 'rejected' AND h.status = 'released'))""",
     "withdrawal {0} but its hold is {1}"),
    (5, "available is not negative", """
        SELECT store_id, account_id, balance, held FROM accounts
        WHERE kind = 'wallet' AND (balance - held < 0 OR held < 0 OR pending < 0)""",
     "balance {0} held {1}"),
    (6, "account totals equal their postings", """
        SELECT a.store_id, a.account_id, a.balance, COALESCE(SUM(p.amount), 0),
               a.held, COALESCE(SUM(p.held_delta), 0), a.last_seq, COUNT(p.seq)
        FROM accounts a LEFT JOIN postings p
          ON p.store_id = a.store_id AND p.account_id = a.account_id
        GROUP BY a.store_id, a.account_id, a.balance, a.held, a.pending, a.credits_posted,
                 a.debits_posted, a.last_seq
        HAVING a.balance <> COALESCE(SUM(p.amount), 0)
            OR a.held <> COALESCE(SUM(p.held_delta), 0)
            OR a.pending <> COALESCE(SUM(p.pending_delta), 0)
            OR a.credits_posted <> COALESCE(SUM(CASE WHEN p.amount > 0 THEN p.amount
                                                     ELSE 0 END), 0)
            OR a.debits_posted <> COALESCE(SUM(CASE WHEN p.amount < 0 THEN -p.amount
                                                    ELSE 0 END), 0)
            OR a.last_seq <> COUNT(p.seq) OR a.last_seq <> COALESCE(MAX(p.seq), 0)""",
     "stored balance {0} vs postings {1}, held {2} vs {3}, last_seq {4} vs {5} postings"),
    (6, "each posting's balance-after is the running sum", """
        SELECT store_id, account_id, seq, balance_after, running, held_after, running_held
        FROM (SELECT store_id, account_id, seq, balance_after, held_after,
                SUM(amount) OVER (PARTITION BY store_id, account_id ORDER BY seq
                                  ROWS UNBOUNDED PRECEDING) AS running,
                SUM(held_delta) OVER (PARTITION BY store_id, account_id ORDER BY seq
                                      ROWS UNBOUNDED PRECEDING) AS running_held
              FROM postings) AS r
        WHERE balance_after <> running OR held_after <> running_held""",
     "posting {0}: balance_after {1} but running sum {2} (held_after {3} vs {4})"),
]


Check = Callable[[Connection], list[Problem]]


def verify(conn: Connection, now: datetime, more: Sequence[Check] = ()) -> VerifyReport:
    """Run every check, and `more` (the other domains' checks of what they keep); at most
    MAX_PROBLEMS_PER_CHECK rows are reported per check."""
    problems: list[Problem] = []
    for invariant, name, sql, template in _CHECKS:
        statement = text(sql)
        params = {}
        if ":now" in sql:
            statement = statement.bindparams(bindparam("now", type_=UtcDateTime))
            params = {"now": now}
        rows = conn.execute(statement, params).fetchmany(MAX_PROBLEMS_PER_CHECK)
        for row in rows:
            store_id, subject, *values = row
            problems.append(Problem(invariant, name, store_id, subject,
                                    template.format(*values)))
    for check in more:
        problems += check(conn)[:MAX_PROBLEMS_PER_CHECK]
    postings = conn.execute(text("SELECT COUNT(*) FROM postings")).scalar_one()
    return VerifyReport(tuple(problems), len(_CHECKS) + len(more), int(postings))
