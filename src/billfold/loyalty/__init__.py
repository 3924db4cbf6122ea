"""Loyalty points: earning rules, events, purchase points on orders, referrals, tiers.

A domain over the ledger: points move only through the ledger's use cases
(`credit`, `promises`, `reverse`); orders reach it through `app/`, which calls
these use cases in the commerce use case's transaction.
"""
