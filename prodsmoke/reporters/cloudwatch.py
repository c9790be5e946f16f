"""CloudWatch: boto3 `put_metric_data`, or Embedded Metric Format lines on stdout inside Lambda.

An alarm watches one exact set of dimensions, so each point is published under every configured
dimension set it has all the dimensions of (`[env]`, `[env, region]`, `[env, check]`,
`[env, region, check]` by default), always with `scope` (run or check) added so run- and check-level
values of one metric never mix. boto3 is imported only when this reporter sends.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from prodsmoke import redact
from prodsmoke.errors import SendError
from prodsmoke.reporters.metrics import Point, points

if TYPE_CHECKING:
    from prodsmoke.config.monitoring import CloudWatchSettings
    from prodsmoke.results import RunResult

MAX_PER_CALL = 1000  # put_metric_data's limit on MetricData entries
MAX_AGE_S = 13 * 86400  # put_metric_data takes timestamps up to two weeks old
EMF_MAX_METRICS = 100  # per EMF document
UNITS = {"ms": "Milliseconds", "ratio": "None", "count": "Count", "bytes": "Bytes"}


def dimension_sets(point: Point, sets: tuple[tuple[str, ...], ...]) -> list[tuple[str, ...]]:
    """The dimension sets (each led by `scope`) that apply to `point`, without duplicates.

    A step's or a page's point goes only under sets that name its `step` / `page`: under the
    others it would mix every step of a journey into one series.
    """
    present = {k for k, _ in point.tags}
    required = present & {"step", "page"}
    out: list[tuple[str, ...]] = []
    for wanted in sets:
        if set(wanted) <= present and required <= set(wanted):
            names = ("scope", *[d for d in wanted if d != "scope"])
            if names not in out:
                out.append(names)
    return out


def metric_data(run: RunResult, prefix: str, settings: CloudWatchSettings) -> list[dict[str, Any]]:
    """`MetricData` entries for `run` (JSON-serialisable: the timestamp is POSIX seconds)."""
    data: list[dict[str, Any]] = []
    for point in points(run, prefix):
        tags = dict(point.tags)
        for names in dimension_sets(point, settings.dimension_sets):
            data.append(
                {
                    "MetricName": point.name,
                    "Dimensions": [{"Name": n, "Value": tags[n]} for n in names],
                    "Timestamp": point.timestamp,
                    "Value": point.value,
                    "Unit": UNITS[point.unit],
                }
            )
    return data


@dataclass
class CloudWatchSender:
    """Sends a run's points with `put_metric_data`, at most 1000 per call."""

    settings: CloudWatchSettings
    prefix: str
    region: str | None = None
    name: str = "cloudwatch"
    max_age_s: float = MAX_AGE_S
    calls: int = field(default=0, init=False)  # put_metric_data calls made (for the curious)

    def payload(self, run: RunResult) -> dict[str, Any]:
        """Namespace and metric data."""
        return {
            "namespace": self.settings.namespace,
            "metric_data": metric_data(run, self.prefix, self.settings),
        }

    def send(self, payload: dict[str, Any], timeout_s: float) -> None:
        """Send in chunks; each chunk delivered is removed from `payload`, so a retry or the
        spool carries only what is left (CloudWatch would count a resent value twice)."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self._client(timeout_s)
        where = self.settings.endpoint_url or f"CloudWatch in {client.meta.region_name}"
        while payload["metric_data"]:
            chunk = payload["metric_data"][:MAX_PER_CALL]
            try:
                client.put_metric_data(Namespace=payload["namespace"], MetricData=chunk)
            except ClientError as exc:
                error = exc.response.get("Error", {})
                code = str(error.get("Code", "Error"))
                status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
                message = f"put_metric_data to {where} failed: {code}: {error.get('Message', '')}"
                if code in ("AccessDenied", "AccessDeniedException", "InvalidClientTokenId"):
                    raise SendError(message, retry=False) from None
                if 400 <= status < 500 and code not in ("Throttling", "ThrottlingException"):
                    raise SendError(message, retry=False, keep=False) from None
                raise SendError(message) from None
            except BotoCoreError as exc:
                raise SendError(f"put_metric_data to {where} failed: {exc}") from None
            self.calls += 1
            del payload["metric_data"][: len(chunk)]

    def _client(self, timeout_s: float) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=timeout_s,
            read_timeout=timeout_s,
            retries={"total_max_attempts": 1},  # SpoolingReporter retries, inside the deadline
        )
        return boto3.client(
            "cloudwatch",
            region_name=self.region or self.settings.region,
            endpoint_url=self.settings.endpoint_url,
            config=config,
        )


def emf_documents(run: RunResult, prefix: str, settings: CloudWatchSettings) -> list[str]:
    """Embedded Metric Format lines: one per tag set (the run, each check), <=100 metrics each."""
    groups: dict[tuple[tuple[str, str], ...], list[Point]] = {}
    for point in points(run, prefix):
        groups.setdefault(point.tags, []).append(point)
    lines = []
    for tags, group in groups.items():
        for start in range(0, len(group), EMF_MAX_METRICS):
            chunk = group[start : start + EMF_MAX_METRICS]
            doc: dict[str, Any] = {
                "_aws": {
                    "Timestamp": int(chunk[0].timestamp * 1000),
                    "CloudWatchMetrics": [
                        {
                            "Namespace": settings.namespace,
                            "Dimensions": [
                                list(s) for s in dimension_sets(chunk[0], settings.dimension_sets)
                            ],
                            "Metrics": [{"Name": p.name, "Unit": UNITS[p.unit]} for p in chunk],
                        }
                    ],
                },
                **dict(tags),
                "run_id": run.run_id,
            }
            doc.update({p.name: p.value for p in chunk})
            lines.append(redact.redact(json.dumps(doc, separators=(",", ":"))))
    return lines


@dataclass
class EmfReporter:
    """CloudWatch metrics as EMF lines on stdout, which Lambda ships to CloudWatch Logs."""

    settings: CloudWatchSettings
    prefix: str
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    name: str = "cloudwatch"

    def report(self, run: RunResult) -> None:
        """Print one line per EMF document."""
        for line in emf_documents(run, self.prefix, self.settings):
            print(line, file=self.stream, flush=True)
