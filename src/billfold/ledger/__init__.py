"""The ledger: accounts, lots, postings, holds and the spending order.

It imports no other domain. Every function takes a connection inside an open
transaction plus plain values, and returns frozen dataclasses; the caller owns
the transaction (STYLE.md, habit 6).
"""
