"""Standard Webhooks signatures (https://www.standardwebhooks.com), by the
`standardwebhooks` library: `webhook-id` is the event id (the same on every attempt),
`webhook-timestamp` the wall-clock second of the attempt, `webhook-signature` one
`v1,<base64>` per secret that signs (two for 24 hours after a rotation)."""

from __future__ import annotations

from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook


def headers(event_id: str, body: str, secrets: tuple[str, ...],
            at: datetime | None = None) -> dict[str, str]:
    moment = (at or datetime.now(UTC)).replace(microsecond=0)
    signatures = " ".join(Webhook(secret).sign(event_id, moment, body) for secret in secrets)
    return {"webhook-id": event_id, "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signatures, "content-type": "application/json",
            "user-agent": "billfold-webhooks"}
