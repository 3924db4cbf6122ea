"""What every contract object shares: the model base, times, list pages, the error body.

The models here are the REST contract (`shared/API.md`) in Python: the API builds
them to answer, the SDK parses answers into them. Nothing here imports a web
framework or the service, so a shop's code can depend on them alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")

ERROR_TYPES = ("invalid_request", "authentication", "permission", "not_found", "conflict",
               "insufficient_funds", "rate_limited", "internal")


def _utc(moment: datetime) -> datetime:
    """Times are sent in UTC with a 'Z' (as RFC 3339 allows): convert whatever came in."""
    return moment.astimezone(UTC)


Timestamp = Annotated[datetime, AfterValidator(_utc),
                      Field(description="RFC 3339 time in UTC.", examples=["2026-01-01T00:00:00Z"])]
Metadata = Annotated[dict[str, Any], Field(description="The caller's own key-value pairs.")]


class ContractModel(BaseModel):
    """Frozen values; unknown fields are ignored so that an older SDK reads a newer API
    (the contract only ever adds fields)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Page(ContractModel, Generic[T]):
    """One page of a list, newest first; pass `next_cursor` as `starting_after` for the
    next one."""

    data: list[T]
    has_more: bool
    next_cursor: str | None


class ErrorDetail(ContractModel):
    type: Literal[ERROR_TYPES]  # type: ignore[valid-type]
    code: str
    message: str
    param: str | None


class ErrorBody(ContractModel):
    """Every refusal, whatever its status: `{"error": {type, code, message, param}}`."""

    error: ErrorDetail

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "error": {"type": "insufficient_funds", "code": "insufficient_funds",
                  "message": "The wallet has 300 SAR available, 1200 SAR needed.",
                  "param": "amount"}}]})


class Health(ContractModel):
    status: Literal["ok"]
