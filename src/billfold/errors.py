"""Typed errors. Each carries a stable `code`, an error `type` and an HTTP status.

The API maps these to the contract's error body in one handler; the library
raises them as they are. Nothing here imports a web framework.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BillfoldError(Exception):
    """Base of every refusal billfold makes on purpose."""

    type: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
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
        """Rebuild a stored refusal (idempotent replays return the same error)."""
        for klass in _all_error_classes():
            if klass.type == data["type"] and klass.default_code == data["code"]:
                return klass(data["message"], code=data["code"], param=data.get("param"))
        for klass in BillfoldError.__subclasses__():  # the general class of that type
            if klass.type == data["type"]:
                return klass(data["message"], code=data["code"], param=data.get("param"))
        return BillfoldError(data["message"], code=data["code"], param=data.get("param"))

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
    default_code = "unauthenticated"


class PermissionDenied(BillfoldError):
    type = "permission"
    status = 403
    default_code = "permission_denied"


class NotFound(BillfoldError):
    type = "not_found"
    status = 404
    default_code = "not_found"


class Conflict(BillfoldError):
    type = "conflict"
    status = 409
    default_code = "conflict"


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


class InternalError(BillfoldError):
    """Something failed that is not the caller's fault; nothing was changed."""

    type = "internal"
    status = 500
    default_code = "internal_error"


def _all_error_classes() -> list[type[BillfoldError]]:
    seen: list[type[BillfoldError]] = []
    stack: list[type[BillfoldError]] = [BillfoldError]
    while stack:
        klass = stack.pop()
        seen.append(klass)
        stack.extend(klass.__subclasses__())
    return seen


def require(condition: bool, message: str, *, param: str | None = None,
            error: type[BillfoldError] = InvalidRequest, code: str | None = None) -> None:
    """Refuse bad input with a typed error (TIGER_STYLE: check at the edge)."""
    if not condition:
        raise error(message, param=param, code=code)
