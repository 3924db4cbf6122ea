"""Argument checks shared by the ledger's use cases (habit 5: refuse at the edge)."""

from __future__ import annotations

import json
from typing import Any

from billfold.errors import Code, refusal, require
from billfold.ledger.models import DEFAULT_WITHDRAWABLE, FUNDING_TYPES
from billfold.money import check_amount

MAX_METADATA_KEYS = 50
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_VALUE_LENGTH = 500
MAX_TEXT_LENGTH = 1000
MAX_REFERENCE_LENGTH = 200
MAX_NAME_LENGTH = 200


def check_funding_type(funding_type: object) -> str:
    if not isinstance(funding_type, str) or funding_type not in FUNDING_TYPES:
        raise refusal(Code.UNKNOWN_FUNDING_TYPE, f"Unknown funding_type {funding_type!r}; "
                      f"use one of {', '.join(sorted(FUNDING_TYPES))}.", param="funding_type")
    return funding_type


def withdrawable_for(funding_type: str, is_withdrawable: bool | None) -> bool:
    if is_withdrawable is None:
        return DEFAULT_WITHDRAWABLE[funding_type]
    require(isinstance(is_withdrawable, bool), "withdrawable must be true or false.",
            param="withdrawable")
    return is_withdrawable


def check_text(value: object, param: str, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    if value is None:
        return None
    require(isinstance(value, str) and len(value) <= max_length,
            f"{param} must be a string of at most {max_length} characters.", param=param)
    return value  # type: ignore[return-value]


def check_reason(value: object, param: str = "reason") -> str:
    """A correction's reason (a reversal's description, an adjustment's reason): required,
    not blank, at most MAX_TEXT_LENGTH characters; every correction in the books says why."""
    require(isinstance(value, str) and value.strip() != "" and len(value) <= MAX_TEXT_LENGTH,
            f"{param} is required: a non-blank string of at most {MAX_TEXT_LENGTH} characters "
            "saying why.", param=param)
    return value  # type: ignore[return-value]


def check_metadata(metadata: object) -> dict[str, Any]:
    if metadata is None:
        return {}
    require(isinstance(metadata, dict), "metadata must be an object of string keys.",
            param="metadata")
    assert isinstance(metadata, dict)
    require(len(metadata) <= MAX_METADATA_KEYS,
            f"metadata may have at most {MAX_METADATA_KEYS} keys.", param="metadata")
    for key, value in metadata.items():
        require(isinstance(key, str) and 0 < len(key) <= MAX_METADATA_KEY_LENGTH,
                f"metadata keys must be strings of 1 to {MAX_METADATA_KEY_LENGTH} characters.",
                param="metadata")
        require(value is None or isinstance(value, str | int | bool),
                "metadata values must be strings, integers, booleans or null.", param="metadata")
        require(not isinstance(value, str) or len(value) <= MAX_METADATA_VALUE_LENGTH,
                f"metadata values may be at most {MAX_METADATA_VALUE_LENGTH} characters.",
                param="metadata")
    json.dumps(metadata)
    return dict(metadata)


def check_id(value: object, param: str) -> str:
    require(isinstance(value, str) and 0 < len(value) <= 200,
            f"{param} must be a non-empty string of at most 200 characters.", param=param)
    return value  # type: ignore[return-value]


def check_name(value: object, param: str = "name") -> str:
    """A display name (a store's, an offer's): not blank, at most MAX_NAME_LENGTH characters."""
    require(isinstance(value, str) and 0 < len(value.strip()) <= MAX_NAME_LENGTH,
            f"{param} must be a non-empty string of at most {MAX_NAME_LENGTH} characters.",
            param=param)
    return value  # type: ignore[return-value]


def check_credit(customer_id: str, amount: int, funding_type: str,
                  is_withdrawable: bool | None, metadata: dict[str, Any] | None,
                  description: str | None, reference: str | None,
                  ) -> tuple[bool, dict[str, Any]]:
    """A credit's arguments checked, in the order errors are reported: whether the new
    lot may be withdrawn, and the metadata to store."""
    check_id(customer_id, "customer_id")
    check_amount(amount)
    check_funding_type(funding_type)
    withdrawable = withdrawable_for(funding_type, is_withdrawable)
    metadata = check_metadata(metadata)
    check_text(description, "description")
    check_text(reference, "reference", MAX_REFERENCE_LENGTH)
    return withdrawable, metadata


def check_debit(customer_id: str, amount: int, metadata: dict[str, Any] | None,
                 description: str | None, reference: str | None) -> dict[str, Any]:
    """A debit's arguments checked; the metadata to store."""
    check_id(customer_id, "customer_id")
    check_amount(amount)
    metadata = check_metadata(metadata)
    check_text(description, "description")
    check_text(reference, "reference", MAX_REFERENCE_LENGTH)
    return metadata


def check_status(status: object, statuses: tuple[str, ...]) -> str | None:
    """A list's `status` filter: None, or one of `statuses`."""
    require(status is None or status in statuses,
            f"status must be one of {', '.join(statuses)}.", param="status")
    return status  # type: ignore[return-value]
