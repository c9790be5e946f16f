"""`serve()` runs in the foreground and Ctrl-C (SIGINT) stops it cleanly, even under `hang`."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time

import httpx

SCRIPT = (
    "from prodsmoke.demo import Faults, serve; "
    "serve(port=0, faults=Faults.parse('hang'), password='pw', assets=3)"
)


def test_ctrl_c_stops_serve_quickly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+) with faults hang", banner)
        assert match, banner
        url = match.group(1)
        assert httpx.get(url + "/__demo__/audit", timeout=5).status_code == 200
        hung: list[int] = []
        thread = threading.Thread(
            target=lambda: hung.append(httpx.get(url + "/health", timeout=10).status_code)
        )
        thread.start()
        time.sleep(0.3)
        start = time.perf_counter()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
        assert time.perf_counter() - start < 3
        thread.join(timeout=5)
        assert hung == [503]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
