"""junit.xml, written straight from the `RunResult` (the JUnit XML CI systems read).

One `<testcase>` per check, in the run's order: `classname` the environment file, `name` the
check id, `time` its duration; its metrics, status and attempts as properties; a failed check's
redacted one-line error as `<failure>`, a skipped one's reason as `<skipped>`. Written like
results.json: a uniquely named temporary file, then renamed into place.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from prodsmoke import redact
from prodsmoke.reporters.json_file import write_atomically
from prodsmoke.results import Status

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.results import CheckResult, RunResult


def document(run: RunResult, classname: str) -> ET.Element:
    """The <testsuites> element of `run`."""
    counts = {s: sum(c.status is s for c in run.checks) for s in Status}
    suites = ET.Element("testsuites", name="prodsmoke")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="prodsmoke",
        errors="0",
        failures=str(counts[Status.FAIL]),
        skipped=str(counts[Status.SKIP]),
        tests=str(len(run.checks)),
        time=f"{run.duration_ms / 1000:.3f}",
        timestamp=run.started_at.isoformat(),
        hostname=socket.gethostname(),
    )
    for check in run.checks:
        suite.append(_case(check, classname))
    return suites


def _case(check: CheckResult, classname: str) -> ET.Element:
    case = ET.Element(
        "testcase", classname=classname, name=check.id, time=f"{check.duration_ms / 1000:.3f}"
    )
    properties = ET.SubElement(case, "properties")
    values = [(f"metric.{k}", _number(v)) for k, v in check.metrics.items()]
    values += [("status", str(check.status)), ("attempts", str(check.attempts))]
    if check.flaky:
        values.append(("flaky", "true"))
    for name, value in values:
        ET.SubElement(properties, "property", name=name, value=value)
    error = redact.redact(check.error or "")
    if check.status is Status.FAIL:
        text = f"[{check.failure_class or 'product'}] {error or 'failed'}"
        failure = ET.SubElement(case, "failure", message=text)
        failure.text = text
    elif check.status is Status.SKIP:
        ET.SubElement(case, "skipped", message=error or "skipped")
    return case


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass
class JunitReporter:
    """Writes junit.xml (right after results.json, before any other reporter)."""

    path: Path
    classname: str  # the environment file's name, e.g. production.yaml
    name: str = "junit.xml"

    def report(self, run: RunResult) -> None:
        """Write the document atomically."""
        tree = document(run, self.classname)
        ET.indent(tree)
        data = ET.tostring(tree, encoding="utf-8", xml_declaration=True)
        write_atomically(self.path, data + b"\n")
