"""Commerce: checkout with wallets, orders, cashback offers, refunds, statistics.

Built on the ledger: checkouts place and capture holds, cashback is promised
credit granted once, refunds reverse captures and credit `refund` lots. Each
module holds one concern; each public function is one use case taking a
connection and plain values and returning frozen dataclasses.
"""
