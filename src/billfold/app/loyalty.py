"""`shop.loyalty`: earning rules, reported events and referrals (REST
`/v1/earning_rules`, `POST /v1/events`, `/v1/referrals`). Purchase points ride
on `shop.orders` (app/orders.py), tiers on `shop.settings` and `shop.customers`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.durations import parse_duration_seconds
from billfold.loyalty import events, referrals, rules, tiers
from billfold.loyalty.events import Event
from billfold.loyalty.referrals import Referral
from billfold.loyalty.rules import Rule


@dataclass(frozen=True, slots=True)
class CreateRule(Mutation[Rule]):
    operation = "create_earning_rule"
    result_type = Rule
    name: str
    program: str
    event: str
    kind: str
    points: object = None
    percent: object = None
    per_amount: object = None
    outcomes: object = None
    multiplier: object = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    max_per_customer: object = None
    period: object = None
    expires_in: object = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Rule:
        seconds = (None if self.expires_in is None
                   else parse_duration_seconds(self.expires_in, param="expires_in"))
        return rules.create_rule(
            conn, store_id=store_id, name=self.name, program=self.program, event=self.event,
            kind=self.kind, now=now, points=self.points, percent=self.percent,
            per_amount=self.per_amount, outcomes=self.outcomes, multiplier=self.multiplier,
            starts_at=self.starts_at, ends_at=self.ends_at,
            max_per_customer=self.max_per_customer, period=self.period,
            credit_expires_seconds=seconds)


@dataclass(frozen=True, slots=True)
class CloseRule(Mutation[Rule]):
    operation = "close_earning_rule"
    result_type = Rule
    rule_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Rule:
        return rules.close_rule(conn, store_id=store_id, rule_id=self.rule_id, now=now)


@dataclass(frozen=True, slots=True)
class RecordEvent(Mutation[Event]):
    operation = "record_event"
    result_type = Event
    type: str
    customer_id: str
    event_id: str | None = None
    properties: dict[str, Any] | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Event:
        return events.record_event(conn, store_id=store_id, type=self.type,
                                   customer_id=self.customer_id, now=now,
                                   event_id=self.event_id, properties=self.properties)


@dataclass(frozen=True, slots=True)
class CreateReferral(Mutation[Referral]):
    operation = "create_referral"
    result_type = Referral
    referrer_id: str
    referee_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Referral:
        return referrals.create_referral(conn, store_id=store_id, referrer_id=self.referrer_id,
                                         referee_id=self.referee_id, now=now)


class Loyalty(Namespace):
    def create_rule(self, name: str, *, program: str, event: str, kind: str,
                    points: int | None = None, percent: object = None,
                    per_amount: int | None = None,
                    outcomes: list[dict[str, int]] | None = None, multiplier: object = None,
                    starts_at: datetime | None = None, ends_at: datetime | None = None,
                    max_per_customer: int | None = None, period: str | None = None,
                    expires_in: object = None,
                    idempotency_key: str | None = None) -> contract.EarningRule:
        """An earning rule: `kind` fixed, percent, proportional, random or multiplier."""
        return render.earning_rule(self._mutate(CreateRule(
            name, program, event, kind, points, percent, per_amount, outcomes, multiplier,
            starts_at, ends_at, max_per_customer, period, expires_in), idempotency_key))

    def get_rule(self, rule_id: str) -> contract.EarningRule:
        return render.earning_rule(self._read(lambda c: rules.get_rule(c, self.store_id,
                                                                       rule_id)))

    def list_rules(self, *, status: str | None = None, limit: int | None = None,
                   starting_after: str | None = None) -> contract.Page[contract.EarningRule]:
        """The store's rules, oldest first."""
        found, has_more = self._read(lambda c: rules.list_rules(
            c, self.store_id, status=status, limit=limit or 20,
            starting_after=starting_after))
        return contract.Page[contract.EarningRule](
            data=[render.earning_rule(rule) for rule in found], has_more=has_more,
            next_cursor=found[-1].id if has_more else None)

    def close_rule(self, rule_id: str, *,
                   idempotency_key: str | None = None) -> contract.EarningRule:
        """It awards nothing after."""
        return render.earning_rule(self._mutate(CloseRule(rule_id), idempotency_key))

    def create_event(self, type: str, customer_id: str, *, id: str | None = None,
                     properties: dict[str, Any] | None = None,
                     idempotency_key: str | None = None) -> contract.LoyaltyEvent:
        """Report an event (review, cart_recovered, custom); the same `id` again answers
        the first outcome and awards nothing more."""
        return render.loyalty_event(self.record_event(type, customer_id, id=id,
                                                      properties=properties,
                                                      idempotency_key=idempotency_key))

    def record_event(self, type: str, customer_id: str, *, id: str | None = None,
                     properties: dict[str, Any] | None = None,
                     idempotency_key: str | None = None) -> Event:
        """`create_event`, as the domain value (whose `replayed` is the API's 200)."""
        return self._mutate(RecordEvent(type, customer_id, id, properties), idempotency_key)

    def create_referral(self, referrer_id: str, referee_id: str, *,
                        idempotency_key: str | None = None) -> contract.Referral:
        """Both earn once, when the referee's first order is completed."""
        return render.referral(self._mutate(CreateReferral(referrer_id, referee_id),
                                            idempotency_key))

    def recompute_due_tiers(self) -> int:
        """The worker's part: recompute every customer whose counted points may have aged
        out of a tier's window by now, batch by batch; how many were recomputed."""
        total = 0
        while (done := self._bf.run(lambda c: tiers.recompute_due_tiers(
                c, store_id=self.store_id, now=self.now))):
            total += done
            if done < tiers.RECOMPUTE_BATCH_LIMIT:
                break
        return total
