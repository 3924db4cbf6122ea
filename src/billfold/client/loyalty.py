"""`api.loyalty`: earning rules, reported events and referrals, one definition of each
call for the sync and the async client (the same methods as the library's
`shop.loyalty`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from billfold.client.calls import Call, Namespace, body, query, segment
from billfold.contract import EarningRule, EarningRulePage, LoyaltyEvent, Page, Referral
from billfold.contract.namespaces import Duration, Percent


class Loyalty(Namespace):
    """`api.loyalty`."""

    def create_rule(self, name: str, *, program: str, event: str, kind: str,
                    points: int | None = None, percent: Percent | None = None,
                    per_amount: int | None = None,
                    outcomes: list[dict[str, int]] | None = None,
                    multiplier: Percent | None = None, starts_at: datetime | None = None,
                    ends_at: datetime | None = None, max_per_customer: int | None = None,
                    period: str | None = None, expires_in: Duration | None = None,
                    idempotency_key: str | None = None) -> EarningRule:
        """An earning rule: `kind` fixed, percent, proportional, random or multiplier."""
        sent = body(name=name, program=program, event=event, kind=kind, points=points,
                    percent=percent, per_amount=per_amount, outcomes=outcomes,
                    multiplier=multiplier, starts_at=starts_at, ends_at=ends_at,
                    max_per_customer=max_per_customer, period=period, expires_in=expires_in)
        return self._send(Call("POST", "/v1/earning_rules", EarningRule.model_validate_json,
                               sent, idempotency_key=idempotency_key))

    def get_rule(self, rule_id: str) -> EarningRule:
        return self._get(f"/v1/earning_rules/{segment(rule_id)}",
                         EarningRule.model_validate_json)

    def list_rules(self, *, status: str | None = None, limit: int | None = None,
                   starting_after: str | None = None) -> Page[EarningRule]:
        """The store's rules, oldest first."""
        return self._send(Call("GET", "/v1/earning_rules", EarningRulePage.model_validate_json,
                               params=query(status=status, limit=limit,
                                            starting_after=starting_after)))

    def close_rule(self, rule_id: str, *, idempotency_key: str | None = None) -> EarningRule:
        """It awards nothing after."""
        return self._act(f"/v1/earning_rules/{segment(rule_id)}/close",
                         EarningRule.model_validate_json, idempotency_key)

    def create_event(self, type: str, customer_id: str, *, id: str | None = None,
                     properties: dict[str, Any] | None = None,
                     idempotency_key: str | None = None) -> LoyaltyEvent:
        """Report an event; the same `id` again answers the first outcome (HTTP 200)."""
        sent = body(id=id, type=type, customer_id=customer_id, properties=properties)
        return self._send(Call("POST", "/v1/events", LoyaltyEvent.model_validate_json, sent,
                               idempotency_key=idempotency_key))

    def create_referral(self, referrer_id: str, referee_id: str, *,
                        idempotency_key: str | None = None) -> Referral:
        """Both earn once, when the referee's first order is completed."""
        return self._send(Call("POST", "/v1/referrals", Referral.model_validate_json,
                               {"referrer_id": referrer_id, "referee_id": referee_id},
                               idempotency_key=idempotency_key))
