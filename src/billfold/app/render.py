"""The library's frozen values as contract objects: one function per object.

Every namespace of a store handle (`shop.wallets`, `shop.holds`, …) answers through
these, so the library returns what the SDK parses (`billfold.contract`), and the API
returns what the library returns. Each builds the contract model with validation,
once: FastAPI is handed an instance of its response model and passes it through to
its JSON serializer, so what the API sends is checked against the contract on the
way out. (Building without validation would not be faster: pydantic's
`model_construct` costs about twice a validated build of a transaction.) A replay
of a keyed request renders the same stored value the same way, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from billfold import contract
from billfold.commerce.checkout import Checkout
from billfold.commerce.offers import Offer
from billfold.commerce.order_records import Order
from billfold.commerce.refunds import Refund
from billfold.commerce.settings import StoreSettings
from billfold.commerce.stats import Flows, Stats
from billfold.errors import BillfoldError
from billfold.funding.codes import CodeBatch
from billfold.funding.topups import AutoTopupRule, Topup
from billfold.funding.withdrawals import Withdrawal
from billfold.ledger.customers import Customer
from billfold.ledger.models import Balance, Hold, Lot, Page, Transaction
from billfold.ledger.outbox import OutboxEvent
from billfold.loyalty.events import Event as LoyaltyEventValue
from billfold.loyalty.orders import NO_POINTS, OrderPoints
from billfold.loyalty.referrals import Referral as ReferralValue
from billfold.loyalty.rules import Rule
from billfold.loyalty.tiers import CustomerTier
from billfold.loyalty.tiers import Tier as TierValue
from billfold.webhooks.deliveries import Attempt
from billfold.webhooks.endpoints import Endpoint

T = TypeVar("T")
M = TypeVar("M", bound=contract.ContractModel)


def page(item: type[M], values: Page[T], render: Callable[[T], M]) -> contract.Page[M]:
    """A page of the library's values as a page of `item` (the contract model)."""
    return contract.Page[item](data=[render(value) for value in values.data],  # type: ignore[valid-type]
                               has_more=values.has_more, next_cursor=values.next_cursor)


def whole_list(item: type[M], values: Iterable[T], render: Callable[[T], M]) -> contract.Page[M]:
    """A list the library answers in full, as the one page of it."""
    return contract.Page[item](data=[render(value) for value in values],  # type: ignore[valid-type]
                               has_more=False, next_cursor=None)


def wallet(balance: Balance) -> contract.Wallet:
    expiry = balance.next_expiry
    return contract.Wallet(
        id=balance.wallet_id, customer_id=balance.customer_id, program=balance.program,
        unit=balance.unit, available=balance.available, held=balance.held,
        pending=balance.pending, total=balance.total, by_funding_type=balance.by_funding_type,
        next_expiry=None if expiry is None else contract.NextExpiry(
            amount=expiry.amount, expires_at=expiry.expires_at))


def customer(value: Customer, wallets: Iterable[Balance],
             standing: CustomerTier | None = None) -> contract.Customer:
    return contract.Customer(id=value.id, email=value.email, name=value.name,
                             metadata=value.metadata, created_at=value.created_at,
                             wallets=[wallet(w) for w in wallets],
                             tier=None if standing is None else standing.tier,
                             tier_points=0 if standing is None else standing.tier_points)


def transaction(txn: Transaction) -> contract.Transaction:
    return contract.Transaction(
        id=txn.id, wallet_id=txn.wallet_id, customer_id=txn.customer_id,
        program=txn.program, unit=txn.unit, type=txn.type, amount=txn.amount,
        balance_after=txn.balance_after, held_after=txn.held_after,
        funding_type=txn.funding_type,
        lots=[contract.LotEntry(lot_id=e.lot_id, funding_type=e.funding_type,
                                amount=e.amount, held=e.held_delta) for e in txn.lots],
        description=txn.description, reference=txn.reference, metadata=txn.metadata,
        reverses_transaction_id=txn.reverses_transaction_id, hold_id=txn.hold_id,
        created_at=txn.created_at)


def lot(value: Lot) -> contract.Lot:
    return contract.Lot(
        id=value.id, status=value.status, amount=value.amount, remaining=value.remaining,
        held=value.held, funding_type=value.funding_type, withdrawable=value.is_withdrawable,
        expires_at=value.expires_at, description=value.description,
        transaction_id=value.transaction_id, created_at=value.created_at)


def hold(value: Hold) -> contract.Hold:
    return contract.Hold(
        id=value.id, status=value.status, amount=value.amount,
        captured_amount=value.captured_amount, expires_at=value.expires_at,
        customer_id=value.customer_id, program=value.program, unit=value.unit,
        wallet_id=value.wallet_id, reference=value.reference, metadata=value.metadata,
        created_at=value.created_at, settled_at=value.settled_at,
        transaction_id=value.transaction_id,
        settled_transaction_id=value.settled_transaction_id)


def checkout(value: Checkout, holds: Iterable[Hold]) -> contract.Checkout:
    """The checkout with its holds (one per program that pays, in `breakdown` order)."""
    return contract.Checkout(
        id=value.id, status=value.status, customer_id=value.customer_id,
        order_id=value.order_id, currency=value.currency, amount=value.amount,
        wallet_amount=value.wallet_amount, remaining_amount=value.remaining_amount,
        holds=[hold(h) for h in holds],
        breakdown=[contract.BreakdownPart(program=p.program, amount=p.amount, points=p.points)
                   for p in value.parts],
        expires_at=value.expires_at, created_at=value.created_at,
        settled_at=value.settled_at)


def offer(value: Offer) -> contract.CashbackOffer:
    return contract.CashbackOffer(
        id=value.id, status=value.status, name=value.name, percent=value.percent,
        percent_basis_points=value.percent_basis_points, amount=value.fixed_amount,
        program=value.program, product_ids=value.product_ids,
        category_ids=value.category_ids, min_order_amount=value.min_order_amount,
        max_amount=value.max_amount, first_order_only=value.is_first_order_only,
        starts_at=value.starts_at, ends_at=value.ends_at,
        credit_expires_in=value.credit_expires_seconds, created_at=value.created_at,
        closed_at=value.closed_at)


def order(value: Order, points: OrderPoints = NO_POINTS) -> contract.Order:
    summary = value.cashback
    return contract.Order(
        id=value.id, status=value.status, customer_id=value.customer_id,
        currency=value.currency, amount=value.amount,
        lines=[contract.OrderLine(product_id=line.product_id, category_ids=line.category_ids,
                                  quantity=line.quantity, unit_amount=line.unit_amount)
               for line in value.lines],
        checkout_id=value.checkout_id, wallet_amount=value.wallet_amount,
        card_amount=value.card_amount, paid_amount=value.paid_amount,
        refunded_amount=value.refunded_amount, refundable_amount=value.refundable_amount,
        first_order=value.is_first_order,
        payments=[contract.Payment(program=p.program, unit=p.unit, amount=p.amount,
                                   points=p.points, transaction_id=p.transaction_id,
                                   refunded_amount=p.refunded_amount,
                                   refunded_points=p.refunded_points)
                  for p in value.payments],
        cashback=contract.CashbackSummary(
            pending=summary.pending, granted=summary.granted, voided=summary.voided,
            clawed_back=summary.clawed_back, shortfall=summary.shortfall,
            deducted=summary.deducted),
        cashback_offers=[contract.OfferCashback(
            offer_id=c.offer_id, program=c.program, status=c.status,
            promised=c.promised_amount, pending=c.pending, granted=c.granted,
            voided=c.voided, clawed_back=c.clawed_back, shortfall=c.shortfall,
            deducted=c.deducted) for c in value.cashbacks],
        points=order_points(points), created_at=value.created_at,
        updated_at=value.updated_at)


def refund(value: Refund) -> contract.Refund:
    return contract.Refund(
        id=value.id, status="succeeded", order_id=value.order_id,
        customer_id=value.customer_id, to="wallet", amount=value.amount,
        wallet_amount=value.wallet_amount, card_amount=value.card_amount,
        credited_amount=value.credited_amount, clawed_back=value.clawed_back,
        deducted=value.deducted, reason=value.reason, transaction_ids=value.transaction_ids,
        created_at=value.created_at)


def settings(value: StoreSettings, tiers: Iterable[TierValue] = ()) -> contract.Settings:
    return contract.Settings(
        tiers=[tier(t) for t in tiers],
        wallet_enabled=value.wallet_enabled, currency=value.currency,
        cashback_expires_in=value.cashback_expires_in, auto_apply=value.auto_apply,
        allow_topup=value.allow_topup, topup_amounts=value.topup_amounts,
        low_balance_threshold=value.low_balance_threshold,
        withdrawals_enabled=value.withdrawals_enabled, allow_transfers=value.allow_transfers,
        clawback_shortfall=value.clawback_shortfall,
        topup_min_amount=value.topup_min_amount, topup_max_amount=value.topup_max_amount,
        topup_expires_in=value.topup_expires_in,
        expiry_notice_before=value.expiry_notice_before,
        portal_session_expires_in=value.portal_session_expires_in,
        programs={p.name: contract.ProgramSettings(
            unit=p.unit, kind=p.kind, max_per_order_amount=p.max_per_order_amount,
            max_per_order_percent=p.max_per_order_percent, points_per_unit=p.points_per_unit,
            expires_in=p.expires_in) for p in value.programs})


def _flows(flows: Flows) -> dict[str, int]:
    return {"issued": flows.issued, "spent": flows.spent, "expired": flows.expired,
            "voided": flows.voided, "cashback_granted": flows.cashback_granted}


def stats(value: Stats) -> contract.Stats:
    cashback = value.cashback
    return contract.Stats(
        currency=value.currency, start=value.start, end=value.end,
        outstanding={p.program: p.outstanding for p in value.programs},
        outstanding_by_funding_type={p.program: p.outstanding_by_funding_type
                                     for p in value.programs},
        customers_with_balance=value.customers_with_balance, **_flows(value.flows),
        usage_rate=value.usage_rate_basis_points, usage_rate_percent=value.usage_rate_percent,
        cashback=contract.CashbackStats(
            promised=cashback.promised, pending=cashback.pending, granted=cashback.granted,
            voided=cashback.voided, clawed_back=cashback.clawed_back,
            shortfall=cashback.shortfall, deducted=cashback.deducted),
        by_program={p.program: contract.ProgramFlows(unit=p.unit, **_flows(p.flows))
                    for p in value.programs},
        series=[contract.DayFlows(date=day.date, **_flows(day.flows)) for day in value.series])


def error(value: BillfoldError) -> contract.ErrorBody:
    return error_body(value.type, value.code, value.message, value.param)


def error_body(type_: str, code: str, message: str, param: str | None) -> contract.ErrorBody:
    """A refusal the API makes itself (malformed JSON, unknown path, …)."""
    return contract.ErrorBody(error=contract.ErrorDetail(type=type_, code=code,
                                                         message=message, param=param))


# -- loyalty ------------------------------------------------------------------------------

def earning_rule(value: Rule) -> contract.EarningRule:
    return contract.EarningRule(
        id=value.id, status=value.status, name=value.name, program=value.program,
        event=value.event, kind=value.kind, points=value.points, percent=value.percent,
        per_amount=value.per_amount,
        outcomes=[contract.Outcome(points=o.points, weight=o.weight)
                  for o in value.outcomes] if value.kind == "random" else None,
        multiplier=value.multiplier, starts_at=value.starts_at, ends_at=value.ends_at,
        max_per_customer=value.max_per_customer, period=value.period,
        expires_in=value.credit_expires_seconds, created_at=value.created_at,
        closed_at=value.closed_at)


def loyalty_event(value: LoyaltyEventValue) -> contract.LoyaltyEvent:
    return contract.LoyaltyEvent(
        id=value.id, type=value.type, customer_id=value.customer_id,
        properties=value.properties, created_at=value.created_at,
        awarded=[contract.AwardedPoints(
            rule_id=a.rule_id, program=a.program, amount=a.amount, award_id=a.award_id,
            transaction_id=a.transaction_id,
            draw=None if a.draw is None else contract.Draw(
                seed=a.draw.seed, roll=a.draw.roll, outcome=a.draw.outcome,
                points=a.draw.points)) for a in value.awarded])


def referral(value: ReferralValue) -> contract.Referral:
    return contract.Referral(id=value.id, status=value.status, referrer_id=value.referrer_id,
                             referee_id=value.referee_id, order_id=value.order_id,
                             created_at=value.created_at, rewarded_at=value.rewarded_at)


def order_points(value: OrderPoints) -> contract.OrderPoints:
    return contract.OrderPoints(pending=value.pending, granted=value.granted,
                                voided=value.voided, clawed_back=value.clawed_back)


def tier(value: TierValue) -> contract.Tier:
    return contract.Tier(name=value.name, min_points=value.min_points, window=value.window,
                         multiplier=value.multiplier)


# -- events ----------------------------------------------------------------------------

def event(value: OutboxEvent) -> contract.Event:
    return contract.Event(id=value.id, type=value.type, created_at=value.created_at,
                          store_id=value.store_id, data=value.data)


# -- funding (wallet codes) --------------------------------------------------------------

def code_batch(value: CodeBatch) -> contract.WalletCodeBatch:
    return contract.WalletCodeBatch(**_code_batch_fields(value))


def new_code_batch(value: CodeBatch, codes: Iterable[str]) -> contract.NewWalletCodeBatch:
    return contract.NewWalletCodeBatch(**_code_batch_fields(value), codes=list(codes))


def _code_batch_fields(value: CodeBatch) -> dict[str, object]:
    return dict(
        id=value.id, status=value.status, amount=value.amount, program=value.program,
        funding_type=value.funding_type, withdrawable=value.is_withdrawable,
        count=value.count, max_redemptions=value.max_redemptions, redeemed=value.redeemed,
        expires_at=value.expires_at, credit_expires_in=value.credit_expires_seconds,
        created_at=value.created_at, disabled_at=value.disabled_at)


def withdrawal(value: Withdrawal) -> contract.Withdrawal:
    return contract.Withdrawal(
        id=value.id, status=value.status, customer_id=value.customer_id,
        program=value.program, unit=value.unit, wallet_id=value.wallet_id, amount=value.amount,
        transaction_id=value.transaction_id, created_at=value.created_at,
        settled_at=value.settled_at)


def topup(value: Topup) -> contract.Topup:
    return contract.Topup(
        id=value.id, status=value.status, customer_id=value.customer_id,
        program=value.program, amount=value.amount, trigger=value.trigger,
        payment_reference=value.payment_reference, transaction_id=value.transaction_id,
        expires_at=value.expires_at, created_at=value.created_at,
        settled_at=value.settled_at)


def auto_topup(value: AutoTopupRule, *, deleted: bool = False) -> contract.AutoTopup:
    return contract.AutoTopup(
        customer_id=value.customer_id, program=value.program, threshold=value.threshold,
        amount=value.amount, created_at=value.created_at, updated_at=value.updated_at,
        deleted=deleted)


# -- webhooks ----------------------------------------------------------------------------

def webhook_endpoint(value: Endpoint) -> contract.WebhookEndpoint:
    return contract.WebhookEndpoint(**_endpoint_fields(value))


def new_webhook_endpoint(value: Endpoint, secret: str | None) -> contract.NewWebhookEndpoint:
    return contract.NewWebhookEndpoint(**_endpoint_fields(value), secret=secret)


def _endpoint_fields(value: Endpoint) -> dict[str, object]:
    return dict(id=value.id, url=value.url,
                events=None if value.events is None else list(value.events),
                status=value.status, disabled_reason=value.disabled_reason,
                created_at=value.created_at, updated_at=value.updated_at)


def webhook_delivery(value: Attempt) -> contract.WebhookDelivery:
    return contract.WebhookDelivery(
        id=value.id, endpoint_id=value.endpoint_id, event_id=value.event_id,
        attempt=value.attempt, status=value.status, response_status=value.response_status,
        duration_ms=value.duration_ms, response_excerpt=value.response_excerpt,
        next_attempt_at=value.next_attempt_at, created_at=value.created_at,
        attempted_at=value.attempted_at)
