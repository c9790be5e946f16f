"""Every way a page can write, against the guard: nothing outside allowed_writes arrives.

The demo target's /vectors page tries each vector (fetch and XHR with POST/PUT/PATCH/DELETE,
keepalive fetch, sendBeacon, <a ping>, auto-submitting forms in an iframe, a popup and the top
page, dedicated/shared/service workers that POST, a WebSocket, a download, a foreign host).
tests/demo/test_vectors_browser.py proves that an unguarded Chromium delivers every one of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from prodsmoke.config.models import Settings
from prodsmoke.demo import DemoServer
from prodsmoke.demo.vectors import VECTORS
from prodsmoke.e2e.engine import Engine
from prodsmoke.e2e.plan import plan
from prodsmoke.options import RunOptions
from prodsmoke.reporters.json_file import JsonFileReporter
from prodsmoke.results import Status

pytestmark = pytest.mark.browser

# Where each vector shows up in safety.blocked: (method, a fragment of the URL, reason).
EXPECTED = {
    **{
        f"fetch-{m.lower()}": (m, f"/sink/fetch-{m.lower()}", "not in allowed_writes")
        for m in ("POST", "PUT", "PATCH", "DELETE")
    },
    **{
        f"xhr-{m.lower()}": (m, f"/sink/xhr-{m.lower()}", "not in allowed_writes")
        for m in ("POST", "PUT", "PATCH", "DELETE")
    },
    "keepalive-fetch": ("POST", "/sink/keepalive-fetch", "not in allowed_writes"),
    "send-beacon": ("POST", "/sink/send-beacon", "not in allowed_writes"),
    "a-ping": ("POST", "/sink/a-ping", "not in allowed_writes"),
    "form-iframe": ("POST", "/sink/form-iframe", "not in allowed_writes"),
    "form-popup": ("POST", "/sink/form-popup", "not in allowed_writes"),
    "form-top": ("POST", "/sink/form-top", "not in allowed_writes"),
    "dedicated-worker": ("POST", "/sink/dedicated-worker", "not in allowed_writes"),
    "shared-worker": ("SHAREDWORKER", "/vectors/shared-worker.js", "shared worker refused"),
    "service-worker": ("SERVICEWORKER", "/vectors/sw.js", "service worker refused"),
    "websocket": ("WEBSOCKET", "/ws?vector=websocket", "websocket not in allowed_websockets"),
    "download": ("GET", "/vectors/download", "download refused"),
    "foreign-host": ("GET", "://localhost:", "host not in allowed_hosts"),
}


def test_the_expectations_cover_every_vector_the_page_tries() -> None:
    assert set(EXPECTED) == set(VECTORS)


async def test_no_write_vector_reaches_the_target_and_each_is_listed_as_blocked(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = demo_settings()
    vectors_page = settings.journeys["homepage_load"].model_copy(
        update={"url": "/vectors", "visible": ("#vectors-done",), "max_console_errors": 0}
    )
    settings = settings.model_copy(
        update={"journeys": {**settings.journeys, "homepage_load": vectors_page}}
    )
    result = await Engine(
        settings, RunOptions(output_dir=tmp_path), plan(settings, ["homepage_load"])
    ).run()
    JsonFileReporter(tmp_path / "results.json").report(result)

    check = result.check("homepage_load")
    assert check.status is Status.PASS, check.error  # refusals never count as the page's errors
    audit = demo_target.audit()
    assert audit["requests"] == []  # not one request outside allowed_writes arrived
    assert audit["websockets"] == []
    # The only arrival is the download's GET, a read; the browser then refused to save it.
    assert [(s["method"], s["vector"]) for s in audit["sink"]] == [("GET", "download")]

    blocked = json.loads((tmp_path / "results.json").read_text())["safety"]["blocked"]
    for vector, (method, fragment, reason) in EXPECTED.items():
        assert any(
            b["method"] == method and fragment in b["url"] and b["reason"] == reason
            for b in blocked
        ), f"{vector} is not listed in safety.blocked"
