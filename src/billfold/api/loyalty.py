"""Loyalty points: earning rules, reported events, referrals."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from billfold.api.common import DEFAULT_LIMIT, ContractRoute, Limit, StartingAfter, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.loyalty_schemas import EarningRuleCreate, EventCreate, ReferralCreate
from billfold.api.schemas import OBJECT_ID_PATTERN
from billfold.app import render
from billfold.contract import EarningRule, LoyaltyEvent, Page, Referral

rules_router = APIRouter(prefix="/v1/earning_rules", tags=["loyalty"],
                         route_class=ContractRoute)
events_router = APIRouter(prefix="/v1/events", tags=["loyalty"], route_class=ContractRoute)
referrals_router = APIRouter(prefix="/v1/referrals", tags=["loyalty"],
                             route_class=ContractRoute)
routers = (rules_router, events_router, referrals_router)
RuleIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["rule_01jf3v8"])]


@rules_router.post("", status_code=201, responses=errors(409))
def create_rule(body: EarningRuleCreate, store: Store,
                idempotency_key: IdempotencyKey = None) -> EarningRule:
    """A rule of kind fixed, percent, proportional, random or multiplier; a bad rule is a
    400 naming its `param`, and creates nothing."""
    return store.loyalty.create_rule(
        body.name, program=body.program, event=body.event, kind=body.kind,
        points=body.points, percent=body.percent, per_amount=body.per_amount,
        outcomes=body.outcome_dicts(), multiplier=body.multiplier, starts_at=body.starts_at,
        ends_at=body.ends_at, max_per_customer=body.max_per_customer, period=body.period,
        expires_in=body.expires_in, idempotency_key=idempotency_key)


@rules_router.get("", responses=errors())
def list_rules(store: Store,
               status: Annotated[Literal["active", "closed"] | None,
                                 Query(description="Only rules in this state.")] = None,
               limit: Limit = DEFAULT_LIMIT,
               starting_after: StartingAfter = None) -> Page[EarningRule]:
    """The store's earning rules, oldest first."""
    return store.loyalty.list_rules(status=status, limit=limit, starting_after=starting_after)


@rules_router.get("/{rule_id}", responses=errors(404))
def get_rule(rule_id: RuleIdPath, store: Store) -> EarningRule:
    return store.loyalty.get_rule(rule_id)


@rules_router.post("/{rule_id}/close", responses=errors(404, 409))
def close_rule(rule_id: RuleIdPath, store: Store,
               idempotency_key: IdempotencyKey = None) -> EarningRule:
    """Close the rule: it awards nothing after."""
    return store.loyalty.close_rule(rule_id, idempotency_key=idempotency_key)


@events_router.post("", status_code=201, responses={
    200: {"model": LoyaltyEvent, "description": "An event with this id was reported "
                                                "before: its first answer, nothing more "
                                                "awarded."}, **errors(409)})
def create_event(body: EventCreate, store: Store, response: Response,
                 idempotency_key: IdempotencyKey = None) -> LoyaltyEvent:
    """Report a review, a recovered cart or a custom event: its rules award points."""
    event = store.loyalty.record_event(body.type, body.customer_id, id=body.id,
                                       properties=body.properties,
                                       idempotency_key=idempotency_key)
    response.status_code = 200 if event.replayed else 201
    return render.loyalty_event(event)


@referrals_router.post("", status_code=201, responses=errors(409))
def create_referral(body: ReferralCreate, store: Store,
                    idempotency_key: IdempotencyKey = None) -> Referral:
    """Both earn once, when the referee's first order is completed; referring oneself is
    a 400, a referee already referred a 409."""
    return store.loyalty.create_referral(body.referrer_id, body.referee_id,
                                         idempotency_key=idempotency_key)
