"""Typed errors, and `Code`: the one table of every error code billfold returns.

Each row of `Code` gives a code, its error class (hence its `type` and HTTP
status) and, where several raise sites say the same thing, the one message
template they share. Raise sites name a row, so a misspelt code cannot run:

    raise refusal(Code.HOLD_NOT_OPEN, status=hold.status)
    raise refusal(Code.LOT_HELD, f"{held} {unit} of this lot is held; …")

A class with a code of its own (`InvalidRequest` → invalid_request,
`InvalidAmount`, `InsufficientFunds`, …) may also be raised by name for that
code, as `require(...)` does. Constructing an error with a code the table does
not list, or with another class than the table gives it, is a TypeError; only
`BillfoldError.from_dict` rebuilds a body with a code the table lacks (a stored
refusal of another version, a proxy's answer). The API maps these errors to the
contract's body in one handler; the library raises them as they are. Nothing
here imports a web framework.
"""

from __future__ import annotations

from enum import Enum, unique
from typing import Any, ClassVar


class BillfoldError(Exception):
    """Base of every refusal billfold makes on purpose; build one from `Code`."""

    type: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400
    default_code: ClassVar[str | None] = None  # the code when none is given, if any

    def __init__(self, message: str, *, code: Code | str | None = None,
                 param: str | None = None):
        self._fill(message, _listed_code(type(self), code), param)

    def _fill(self, message: str, code: str, param: str | None) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.code = code
        self.param = param

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BillfoldError:
        """Rebuild a stored or received refusal so that it says exactly what it said
        (idempotent replays, the SDK). A listed code gets its catalogue class; a code
        the table does not list (another billfold version, a proxy) gets the general
        class of its type, so an old or foreign body still replays as it was."""
        klass = _CLASS_BY_TYPE_AND_CODE.get((data["type"], data["code"]))
        if klass is not None:
            return klass(data["message"], code=data["code"], param=data.get("param"))
        general = _GENERAL_CLASS.get(data["type"], BillfoldError)
        error = general.__new__(general)
        error._fill(data["message"], data["code"], data.get("param"))
        return error

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle through the body, since a class may have no code of its own."""
        return BillfoldError.from_dict, (self.to_dict(),), self.__dict__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BillfoldError) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.type, self.code, self.message, self.param))


class InvalidRequest(BillfoldError):
    type = "invalid_request"
    status = 400
    default_code = "invalid_request"


class InvalidAmount(InvalidRequest):
    default_code = "invalid_amount"


class UnknownUnit(InvalidRequest):
    default_code = "unknown_unit"


class AuthenticationFailed(BillfoldError):
    type = "authentication"
    status = 401


class PermissionDenied(BillfoldError):
    type = "permission"
    status = 403
    default_code = "permission_denied"


class NotFound(BillfoldError):
    type = "not_found"
    status = 404


class Conflict(BillfoldError):
    type = "conflict"
    status = 409


class IdempotencyConflict(Conflict):
    default_code = "idempotency_conflict"


class InsufficientFunds(BillfoldError):
    type = "insufficient_funds"
    status = 402
    default_code = "insufficient_funds"


class RateLimited(BillfoldError):
    type = "rate_limited"
    status = 429
    default_code = "rate_limited"
    retry_after_seconds: int | None = None  # the API's Retry-After, where the raiser knows it


class InternalError(BillfoldError):
    """Something failed that is not the caller's fault; nothing was changed."""

    type = "internal"
    status = 500
    default_code = "internal_error"


_NO_PROGRAM = "No program named {name!r} in this store."


@unique
class Code(Enum):
    """Every error code billfold returns: (code, error class, shared message or None).

    A row's name is its code in capitals. One code is sent with two types today:
    `program_not_found` is a 404 for the program a wallet operation addresses and a
    400 for a program named inside settings, a checkout or an offer; its second row
    carries the status in its name. A template is filled with `str.format` from the
    raise site's fields; a row without one takes the raise site's own message.
    """

    # invalid_request, 400
    INVALID_REQUEST = "invalid_request", InvalidRequest
    INVALID_JSON = "invalid_json", InvalidRequest
    METHOD_NOT_ALLOWED = "method_not_allowed", InvalidRequest
    INVALID_AMOUNT = "invalid_amount", InvalidAmount
    UNKNOWN_UNIT = "unknown_unit", UnknownUnit
    UNKNOWN_FUNDING_TYPE = "unknown_funding_type", InvalidRequest
    AMOUNT_EXCEEDS_HOLD = ("amount_exceeds_hold", InvalidRequest,
                           "Cannot capture {amount}: the hold is for {held}.")
    AMOUNT_TOO_LARGE = "amount_too_large", InvalidRequest
    AMOUNT_EXCEEDS_REFUNDABLE = "amount_exceeds_refundable", InvalidRequest
    CURRENCY_IMMUTABLE = "currency_immutable", InvalidRequest
    PROGRAM_UNIT_IMMUTABLE = "program_unit_immutable", InvalidRequest
    PROGRAM_NOT_FOUND_400 = "program_not_found", InvalidRequest, _NO_PROGRAM
    # authentication, 401
    MISSING_API_KEY = "missing_api_key", AuthenticationFailed
    INVALID_API_KEY = "invalid_api_key", AuthenticationFailed
    # permission, 403
    PERMISSION_DENIED = "permission_denied", PermissionDenied
    # not_found, 404
    ROUTE_NOT_FOUND = "route_not_found", NotFound
    STORE_NOT_FOUND = "store_not_found", NotFound
    KEY_NOT_FOUND = "key_not_found", NotFound
    PROGRAM_NOT_FOUND = "program_not_found", NotFound, _NO_PROGRAM
    CUSTOMER_NOT_FOUND = ("customer_not_found", NotFound,
                          "No customer {customer_id!r} in this store.")
    TRANSACTION_NOT_FOUND = "transaction_not_found", NotFound
    LOT_NOT_FOUND = "lot_not_found", NotFound, "No lot {lot_id!r} in this store."
    HOLD_NOT_FOUND = "hold_not_found", NotFound, "No hold {hold_id!r} in this store."
    PROMISE_NOT_FOUND = "promise_not_found", NotFound
    CHECKOUT_NOT_FOUND = "checkout_not_found", NotFound
    ORDER_NOT_FOUND = "order_not_found", NotFound
    OFFER_NOT_FOUND = "offer_not_found", NotFound
    # -- loyalty (404) --
    RULE_NOT_FOUND = "rule_not_found", NotFound
    # conflict, 409
    IDEMPOTENCY_CONFLICT = "idempotency_conflict", IdempotencyConflict
    CUSTOMER_EXISTS = "customer_exists", Conflict
    PROGRAM_EXISTS = "program_exists", Conflict
    ORDER_EXISTS = "order_exists", Conflict
    HOLD_NOT_OPEN = "hold_not_open", Conflict, "The hold is already {status}."
    HOLD_EXPIRED = ("hold_expired", Conflict,
                    "The hold has expired; its credit is no longer reserved.")
    LOT_HELD = "lot_held", Conflict
    LOT_NOT_ACTIVE = "lot_not_active", Conflict
    LOT_EXPIRED = "lot_expired", Conflict
    PROMISE_NOT_PENDING = "promise_not_pending", Conflict
    NOT_REVERSIBLE = "not_reversible", Conflict
    ALREADY_REVERSED = "already_reversed", Conflict
    CHECKOUT_NOT_OPEN = "checkout_not_open", Conflict
    CHECKOUT_EXPIRED = "checkout_expired", Conflict
    CHECKOUT_USED = "checkout_used", Conflict
    OFFER_CLOSED = "offer_closed", Conflict
    ILLEGAL_STATUS_CHANGE = "illegal_status_change", Conflict
    # -- loyalty (409) --
    RULE_CLOSED = "rule_closed", Conflict
    ALREADY_REFERRED = "already_referred", Conflict
    # insufficient_funds, 402
    INSUFFICIENT_FUNDS = ("insufficient_funds", InsufficientFunds,
                          "The wallet has {available} {unit} available, {needed} {unit} needed.")
    CREDIT_ALREADY_SPENT = "credit_already_spent", InsufficientFunds
    # rate_limited, 429
    RATE_LIMITED = "rate_limited", RateLimited
    # -- funding (wallet codes) -------------------------------------------------------
    INVALID_WALLET_CODE = ("invalid_wallet_code", InvalidRequest,
                           "This code cannot be redeemed.")  # unknown, used up, disabled, expired
    WALLET_CODE_NOT_FOUND = "wallet_code_not_found", NotFound
    CODE_ALREADY_REDEEMED = "code_already_redeemed", Conflict
    TOO_MANY_CODE_ATTEMPTS = "too_many_code_attempts", RateLimited
    # -- funding (withdrawals and transfers) --
    WITHDRAWALS_DISABLED = "withdrawals_disabled", PermissionDenied
    TRANSFERS_DISABLED = "transfers_disabled", PermissionDenied
    WITHDRAWAL_NOT_FOUND = ("withdrawal_not_found", NotFound,
                            "No withdrawal {withdrawal_id!r} in this store.")
    WITHDRAWAL_NOT_PENDING = "withdrawal_not_pending", Conflict
    # -- funding (top-ups) --
    TOPUPS_DISABLED = "topups_disabled", PermissionDenied
    TOPUP_AMOUNT_NOT_ALLOWED = "topup_amount_not_allowed", InvalidRequest
    TOPUP_NOT_FOUND = "topup_not_found", NotFound, "No top-up {topup_id!r} in this store."
    AUTO_TOPUP_NOT_FOUND = "auto_topup_not_found", NotFound
    TOPUP_NOT_PENDING = "topup_not_pending", Conflict, "The top-up is {status}."
    TOPUP_REFERENCE_CONFLICT = "topup_reference_conflict", Conflict
    # -- events and webhooks --
    EVENT_NOT_FOUND = "event_not_found", NotFound
    INVALID_WEBHOOK_URL = "invalid_webhook_url", InvalidRequest
    WEBHOOK_ENDPOINT_NOT_FOUND = "webhook_endpoint_not_found", NotFound
    DELIVERY_NOT_FOUND = "delivery_not_found", NotFound
    # -- access (dashboard users, portal sessions) --
    INVALID_LOGIN = "invalid_login", AuthenticationFailed
    USER_EXISTS = "user_exists", Conflict
    PORTAL_SESSION_NOT_FOUND = "portal_session_not_found", NotFound
    # -- end funding -------------------------------------------------------------------
    # internal, 500
    INTERNAL_ERROR = "internal_error", InternalError

    def __init__(self, code: str, error_class: type[BillfoldError],
                 template: str | None = None):
        self.code = code
        self.error_class = error_class
        self.template = template

    @property
    def status(self) -> int:
        return self.error_class.status


def refusal(code: Code, message: str | None = None, *, param: str | None = None,
            **fields: Any) -> BillfoldError:
    """The error `code` names: its catalogue message filled from `fields`, or the
    raise site's own `message` for a refusal said in one place only."""
    if message is None:
        assert code.template is not None, f"Code.{code.name} has no template: give a message"
        message = code.template.format(**fields)
    else:
        assert not fields, "give a message or template fields, not both"
    return code.error_class(message, code=code, param=param)


def require(condition: bool, message: str, *, param: str | None = None,
            code: Code = Code.INVALID_REQUEST) -> None:
    """Refuse bad input with a typed error (TIGER_STYLE: check at the edge)."""
    if not condition:
        raise refusal(code, message, param=param)


def _listed_code(klass: type[BillfoldError], code: Code | str | None) -> str:
    """The code an error of `klass` carries; TypeError unless `Code` lists that code
    for exactly that class (a typo or a mismatched class fails where it is written)."""
    if code is None:
        code = klass.default_code
    if isinstance(code, Code):
        if code.error_class is not klass:
            raise TypeError(f"Code.{code.name} is a {code.error_class.__name__}, "
                            f"not a {klass.__name__}")
        return code.code
    row = _ROW_BY_CLASS_AND_CODE.get((klass, code)) if code is not None else None
    if row is None:
        raise TypeError(f"{klass.__name__} with code {code!r}: not a row of billfold.errors.Code")
    return row.code


_ROW_BY_CLASS_AND_CODE: dict[tuple[type[BillfoldError], str], Code] = {
    (row.error_class, row.code): row for row in Code}
_CLASS_BY_TYPE_AND_CODE: dict[tuple[str, str], type[BillfoldError]] = {
    (row.error_class.type, row.code): row.error_class for row in Code}
_GENERAL_CLASS: dict[str, type[BillfoldError]] = {
    klass.type: klass for klass in BillfoldError.__subclasses__()}
assert len(_CLASS_BY_TYPE_AND_CODE) == len(Code), "a code is listed twice with one type"
