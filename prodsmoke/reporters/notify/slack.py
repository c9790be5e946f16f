"""Slack: an incoming webhook, a Block Kit message per state change.

The message stays inside Block Kit's limits (a header's 150 characters, a section's 3000, ten
fields, five buttons whose URLs a browser can open); local paths go in the text instead. Text is
mrkdwn-escaped (`&`, `<`, `>`), so an error cannot forge a link or a mention. The webhook answers
`ok`; `invalid_payload`, `no_service`, `channel_not_found` and the like are refusals (4xx).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prodsmoke.reporters.notify import message
from prodsmoke.reporters.notify.http import post, short

if TYPE_CHECKING:
    import httpx

    from prodsmoke.reporters.notify.message import Wording
    from prodsmoke.reporters.notify.state import Change

MAX_AGE_S = 12 * 3600  # an older page is noise: dropped from the spool
HEADER_MAX, SECTION_MAX, BUTTONS_MAX = 150, 3000, 5
_HINTS = {
    "invalid_payload": "Slack refused the message's form",
    "invalid_blocks": "Slack refused the message's blocks",
    "no_service": "the webhook was removed or its URL is wrong; check SLACK_WEBHOOK_URL",
    "no_team": "the workspace is gone; check SLACK_WEBHOOK_URL",
    "channel_not_found": "the webhook's channel is gone; make a new webhook",
    "channel_is_archived": "the webhook's channel is archived",
    "action_prohibited": "an admin has restricted posting to the channel",
    "invalid_token": "the webhook URL's token is not valid; check SLACK_WEBHOOK_URL",
}


def escape(text: str) -> str:
    """Slack mrkdwn's three control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(change: Change, wording: Wording) -> dict[str, Any]:
    """The webhook's JSON: `text` (notifications, screen readers) and the blocks."""
    links = wording.links(change)
    heading = ("🔴 " if change.action == "trigger" else "✅ ") + message.title(change)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(heading, HEADER_MAX)}}
    ]
    facts = [
        ("Environment", escape(change.env)),
        ("Region" + ("s" if len(change.regions) > 1 else ""), escape(", ".join(change.regions))),
        ("Check", f"`{escape(change.check)}` ({change.check_kind})"),
    ]
    if change.action == "trigger":
        facts += [
            ("Failing step", escape(change.step) if change.step else "-"),
            ("Class", escape(change.failure_class or "fail")),
            ("Failing", message.failing_for(change)),
        ]
    else:
        facts.append(("Failed for", message.duration(change.failing_for_s)))
    blocks.append(
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in facts][:10],
        }
    )
    if change.action == "trigger":
        new = " :new: *new error*" if change.new else ""
        text = f"*Error*{new}\n```{escape(message.error_text(change))}```"
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SECTION_MAX)}}
        )
    urls = [link for link in links if link.url][:BUTTONS_MAX]
    if urls:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": link.label},
                        "url": link.href,
                    }
                    for link in urls
                ],
            }
        )
    paths = [f"{link.label}: `{escape(link.href)}`" for link in links if not link.url]
    lines = [*paths, f"reproduce: `{escape(change.repro)}`"]
    blocks.append(
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut("\n".join(lines), SECTION_MAX)}}
    )
    context = [f"run `{change.run_id}`"]
    if change.fingerprint:
        context.append(f"fingerprint `{change.fingerprint}`")
    if change.rule:
        context.append(f"rule `{escape(change.rule)}` ({change.severity})")
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]}
    )
    return {"text": _cut(message.summary(change), SECTION_MAX), "blocks": blocks}


@dataclass
class SlackTransport:
    """Posts to one incoming webhook."""

    name: str
    webhook_url: str
    max_age_s: float = MAX_AGE_S

    def payload(self, change: Change, wording: Wording) -> dict[str, Any]:
        """The message for `change`."""
        return payload(change, wording)

    def send(self, doc: Any, timeout_s: float) -> None:
        """One POST; Slack answers 200 `ok`."""
        post(
            self.webhook_url,
            json.dumps(doc, separators=(",", ":")).encode(),
            {},
            timeout_s,
            accepted=lambda r: r.status_code == 200,  # noqa: PLR2004
            explain=_explain,
        )


def _explain(response: httpx.Response) -> str:
    text = short(response.text, 80)
    hint = _HINTS.get(text)
    return f"{text}: {hint}" if hint else text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
