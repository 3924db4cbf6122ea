"""Funding: wallet codes, top-ups, automatic top-ups and withdrawals, over the ledger's
use cases (credit, holds). Each module is one resource; each public function one use
case taking a connection and plain values and returning frozen dataclasses."""
