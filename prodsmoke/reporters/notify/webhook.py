"""A generic webhook: the state change as JSON (`prodsmoke/notification/v1`), signed.

    X-Prodsmoke-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the secret>
    X-Prodsmoke-Event: trigger | resolve
    X-Prodsmoke-Delivery: <dedup key>/<run id>/<action>   (the same on a retry or a late one)

A receiver recomputes the HMAC over the raw body it got and compares in constant time
(`hmac.compare_digest`); the body is exactly what was signed. Any 2xx is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prodsmoke.reporters.notify import message
from prodsmoke.reporters.notify.http import post, short

if TYPE_CHECKING:
    from prodsmoke.reporters.notify.message import Wording
    from prodsmoke.reporters.notify.state import Change

SCHEMA = "prodsmoke/notification/v1"
SIGNATURE = "X-Prodsmoke-Signature"
MAX_AGE_S = 12 * 3600


def document(change: Change, wording: Wording) -> dict[str, Any]:
    """The JSON body for `change`."""
    return {
        "schema": SCHEMA,
        "event": change.action,
        "dedup_key": change.dedup_key,
        "title": message.title(change),
        "summary": message.summary(change),
        "env": change.env,
        "regions": list(change.regions),
        "check": change.check,
        "check_kind": change.check_kind,
        "failing_step": change.step,
        "error": change.error,
        "failure_class": change.failure_class,
        "fingerprint": change.fingerprint,
        "new_error": change.new,
        "severity": change.severity,
        "rule": change.rule,
        "failing_since": change.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "failing_for_s": round(change.failing_for_s),
        "run_id": change.run_id,
        "at": change.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "target": change.target,
        "repro": change.repro,
        "links": {link.label: link.href for link in wording.links(change)},
    }


def signature(secret: str, body: bytes) -> str:
    """The header's value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class WebhookTransport:
    """Posts signed JSON to one URL."""

    name: str
    url: str
    secret: str
    max_age_s: float = MAX_AGE_S

    def payload(self, change: Change, wording: Wording) -> dict[str, Any]:
        """The body for `change`."""
        return document(change, wording)

    def send(self, doc: Any, timeout_s: float) -> None:
        """One signed POST; any 2xx is accepted."""
        body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
        delivery = f"{doc.get('dedup_key')}/{doc.get('run_id')}/{doc.get('event')}"
        headers = {
            SIGNATURE: signature(self.secret, body),
            "X-Prodsmoke-Event": str(doc.get("event")),
            "X-Prodsmoke-Delivery": delivery,
        }
        post(
            self.url,
            body,
            headers,
            timeout_s,
            accepted=lambda r: 200 <= r.status_code < 300,  # noqa: PLR2004
            explain=lambda r: short(r.text),
        )
