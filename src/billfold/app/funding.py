"""`shop.codes` and `shop.topups`: wallet codes to redeem, and customers paying into their
own wallet (REST `/v1/wallet_codes`, `/v1/topups`, `…/wallets/{program}/topups` and
`…/auto_topup`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce.settings import StoreSettings, get_settings
from billfold.contract.namespaces import Duration
from billfold.durations import parse_duration_seconds
from billfold.errors import BillfoldError, Code, refusal
from billfold.funding import codes, throttle, topups
from billfold.funding.codes import CodeBatch
from billfold.funding.topups import AutoTopupRule, PaymentProvider, Topup
from billfold.ledger.checks import check_id
from billfold.ledger.models import Transaction


@dataclass(frozen=True, slots=True)
class NewCodeBatch:
    batch: CodeBatch
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreateCodeBatch(Mutation[NewCodeBatch]):
    operation = "create_code_batch"
    result_type = NewCodeBatch
    amount: int
    program: str
    count: int = 1
    funding_type: str = "code_redemption"
    max_redemptions: int = 1
    expires_at: datetime | None = None
    credit_expires_in: int | str | None = None
    withdrawable: bool | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> NewCodeBatch:
        seconds = (None if self.credit_expires_in is None
                   else parse_duration_seconds(self.credit_expires_in,
                                               param="credit_expires_in"))
        batch, plain = codes.create_batch(
            conn, store_id=store_id, amount=self.amount, program=self.program,
            count=self.count, now=now, funding_type=self.funding_type,
            max_redemptions=self.max_redemptions, expires_at=self.expires_at,
            credit_expires_seconds=seconds, is_withdrawable=self.withdrawable)
        return NewCodeBatch(batch, tuple(plain))

    def kept(self, result: NewCodeBatch) -> NewCodeBatch:
        return replace(result, codes=())  # only the codes' hashes are kept, anywhere


@dataclass(frozen=True, slots=True)
class DisableCodeBatch(Mutation[CodeBatch]):
    operation = "disable_code_batch"
    result_type = CodeBatch
    batch_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> CodeBatch:
        return codes.disable_batch(conn, store_id=store_id, batch_id=self.batch_id, now=now)


@dataclass(frozen=True, slots=True)
class RedeemCode(Mutation[Transaction]):
    operation = "redeem_code"
    result_type = Transaction
    code: str
    customer_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Transaction:
        return codes.redeem_code(conn, store_id=store_id, code=self.code,
                                 customer_id=self.customer_id, now=now)


class Codes(Namespace):
    def create(self, amount: int, program: str, *, count: int | None = None,
               funding_type: str | None = None, max_redemptions: int | None = None,
               expires_at: datetime | None = None, credit_expires_in: Duration | None = None,
               withdrawable: bool | None = None,
               idempotency_key: str | None = None) -> contract.NewWalletCodeBatch:
        """`count` codes (1 to 10,000) worth `amount` each in `program`. The plain codes
        are in this answer only (a replay of the same key answers `codes` empty)."""
        made = self._mutate(CreateCodeBatch(
            amount, program, count=1 if count is None else count,
            funding_type=funding_type or "code_redemption",
            max_redemptions=1 if max_redemptions is None else max_redemptions,
            expires_at=expires_at, credit_expires_in=credit_expires_in,
            withdrawable=withdrawable), idempotency_key)
        return render.new_code_batch(made.batch, made.codes)

    def get(self, batch_id: str) -> contract.WalletCodeBatch:
        return render.code_batch(self._snapshot(
            lambda c: codes.get_batch(c, self.store_id, batch_id)))

    def disable(self, batch_id: str, *,
                idempotency_key: str | None = None) -> contract.WalletCodeBatch:
        """The batch's codes redeem no more."""
        return render.code_batch(self._mutate(DisableCodeBatch(batch_id), idempotency_key))

    def redeem(self, code: str, customer_id: str, *,
               idempotency_key: str | None = None) -> contract.Transaction:
        """Credit the code's amount to the customer. InvalidRequest `invalid_wallet_code`
        for any code that cannot be redeemed (one message for all), Conflict for a second
        redemption by the customer, RateLimited after too many wrong codes (its
        `retry_after_seconds` says when to try again)."""
        check_id(customer_id, "customer_id")
        now = self.now
        reservation = self._bf.run(lambda c: throttle.reserve_attempt(
            c, store_id=self.store_id, customer_id=customer_id, now=now))
        try:
            txn = self._mutate(RedeemCode(code, customer_id), idempotency_key)
        except BillfoldError as error:
            if error.code != Code.INVALID_WALLET_CODE.code:  # not a wrong code: uncount it
                self._bf.run(lambda c: throttle.give_back(c, reservation))
            raise
        self._bf.run(lambda c: throttle.give_back(c, reservation))
        return render.transaction(txn)


# -- top-ups ----------------------------------------------------------------------------

def require_topups_allowed(conn: Connection, store_id: str) -> StoreSettings:
    """The store's settings; PermissionDenied (403) unless it takes top-ups."""
    settings = get_settings(conn, store_id)
    if not settings.allow_topup:
        raise refusal(Code.TOPUPS_DISABLED, "This store does not take top-ups "
                      "(settings: allow_topup).")
    return settings


@dataclass(frozen=True, slots=True)
class CreateTopup(Mutation[Topup]):
    operation = "create_topup"
    result_type = Topup
    customer_id: str
    program: str
    amount: int

    def run(self, conn: Connection, store_id: str, now: datetime) -> Topup:
        settings = require_topups_allowed(conn, store_id)
        topups.check_amount_allowed(self.amount, settings.topup_amounts,
                                    settings.topup_min_amount, settings.topup_max_amount)
        return topups.create_topup(conn, store_id=store_id, customer_id=self.customer_id,
                                   program=self.program, amount=self.amount, now=now,
                                   expires_seconds=topups.expires_seconds(
                                       settings.topup_expires_in))


@dataclass(frozen=True, slots=True)
class ConfirmTopup(Mutation[Topup]):
    operation = "confirm_topup"
    result_type = Topup
    topup_id: str
    payment_reference: str
    provider: PaymentProvider

    def fingerprinted(self) -> object:
        return {"topup_id": self.topup_id, "payment_reference": self.payment_reference}

    def run(self, conn: Connection, store_id: str, now: datetime) -> Topup:
        return topups.confirm_topup(conn, store_id=store_id, topup_id=self.topup_id,
                                    payment_reference=self.payment_reference, now=now,
                                    provider=self.provider)


@dataclass(frozen=True, slots=True)
class CancelTopup(Mutation[Topup]):
    operation = "cancel_topup"
    result_type = Topup
    topup_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Topup:
        return topups.cancel_topup(conn, store_id=store_id, topup_id=self.topup_id, now=now)


@dataclass(frozen=True, slots=True)
class SetAutoTopup(Mutation[AutoTopupRule]):
    operation = "set_auto_topup"
    result_type = AutoTopupRule
    customer_id: str
    program: str
    threshold: int
    amount: int

    def run(self, conn: Connection, store_id: str, now: datetime) -> AutoTopupRule:
        require_topups_allowed(conn, store_id)
        return topups.set_auto_topup(conn, store_id=store_id, customer_id=self.customer_id,
                                     program=self.program, threshold=self.threshold,
                                     amount=self.amount, now=now)


@dataclass(frozen=True, slots=True)
class DeleteAutoTopup(Mutation[AutoTopupRule]):
    operation = "delete_auto_topup"
    result_type = AutoTopupRule
    customer_id: str
    program: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> AutoTopupRule:
        return topups.delete_auto_topup(conn, store_id=store_id,
                                        customer_id=self.customer_id, program=self.program)


class Topups(Namespace):
    def create(self, customer_id: str, program: str, amount: int, *,
               idempotency_key: str | None = None) -> contract.Topup:
        """A pending top-up for the customer to pay (PermissionDenied unless the store
        takes top-ups; InvalidRequest for an amount its settings do not allow)."""
        return render.topup(self._mutate(CreateTopup(customer_id, program, amount),
                                         idempotency_key))

    def get(self, topup_id: str) -> contract.Topup:
        return render.topup(self._read(lambda c: topups.get_topup(c, self.store_id,
                                                                  topup_id)))

    def list(self, customer_id: str, program: str = "main", *, status: str | None = None,
             limit: int | None = None,
             starting_after: str | None = None) -> contract.Page[contract.Topup]:
        """The wallet's top-ups, newest first."""
        found, has_more = self._snapshot(lambda c: topups.list_topups(
            c, self.store_id, customer_id=customer_id, program=program, status=status,
            limit=limit or 20, starting_after=starting_after))
        return contract.Page[contract.Topup](
            data=[render.topup(value) for value in found], has_more=has_more,
            next_cursor=found[-1].id if has_more else None)

    def confirm(self, topup_id: str, payment_reference: str, *,
                idempotency_key: str | None = None) -> contract.Topup:
        """The payment arrived: credit the top-up as a `cash` lot. Again with the same
        reference answers it again; another reference is a Conflict."""
        return render.topup(self._mutate(
            ConfirmTopup(topup_id, payment_reference, self._bf.payment_provider),
            idempotency_key))

    def cancel(self, topup_id: str, *, idempotency_key: str | None = None) -> contract.Topup:
        return render.topup(self._mutate(CancelTopup(topup_id), idempotency_key))

    def set_auto(self, customer_id: str, program: str, threshold: int, amount: int, *,
                 idempotency_key: str | None = None) -> contract.AutoTopup:
        """The wallet's automatic top-up: below `threshold`, a pending top-up of `amount`
        and a `topup.required` event, once per crossing. Replaces the wallet's rule."""
        return render.auto_topup(self._mutate(
            SetAutoTopup(customer_id, program, threshold, amount), idempotency_key))

    def get_auto(self, customer_id: str, program: str = "main") -> contract.AutoTopup:
        return render.auto_topup(self._snapshot(
            lambda c: topups.get_auto_topup(c, self.store_id, customer_id, program)))

    def delete_auto(self, customer_id: str, program: str = "main", *,
                    idempotency_key: str | None = None) -> contract.AutoTopup:
        """Remove the wallet's automatic top-up; answers the rule, `deleted` true."""
        return render.auto_topup(self._mutate(DeleteAutoTopup(customer_id, program),
                                              idempotency_key), deleted=True)

    def expire_due(self) -> int:
        """Mark the store's pending top-ups past their time `expired` (the worker)."""
        return self._bf.run(lambda c: topups.expire_due(c, self.store_id, self.now))
