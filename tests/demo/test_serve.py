"""`serve()` runs in the foreground and Ctrl-C (SIGINT) stops it cleanly, even under `hang`."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

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


def _serve_demo(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prodsmoke", "serve-demo", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={"PATH": "/usr/bin:/bin", "SMOKE_TEST_PASSWORD": "pw-for-the-test"},
    )


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _serve_demo("--port", str(port))
    assert proc.returncode == 2
    assert proc.stderr == (
        f"smoke: --port {port}: cannot listen on 127.0.0.1:{port} (address already in use); "
        "pick another port, or 0 for any free port\n"
    )


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_one_line_and_exit_2(port: str) -> None:
    proc = _serve_demo("--port", port)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"smoke: --port {port} is out of range; expected 1-65535, or 0 for any free port\n"
    )


def test_the_demo_target_of_smoke_demo_stops_when_its_parent_is_gone() -> None:
    # `smoke demo` starts it with --parent <its pid>; here the parent is a shell we kill.
    script = (
        f'"{sys.executable}" -m prodsmoke serve-demo --port 0 --quiet --parent $$ & '
        'echo "child $!"; sleep 60'
    )
    shell = subprocess.Popen(
        ["/bin/sh", "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "SMOKE_TEST_PASSWORD": "pw-for-the-test"},
    )
    try:
        assert shell.stdout is not None
        child = int(shell.stdout.readline().split()[1])
        deadline = time.monotonic() + 20
        while "demo target at" not in (line := shell.stdout.readline()):
            assert time.monotonic() < deadline, line
        shell.kill()  # SIGKILL: the parent never gets to stop it
        shell.wait()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{child}").exists() and _state(child) != "Z":
            assert time.monotonic() < deadline, "the demo target outlived its parent"
            time.sleep(0.1)
    finally:
        if shell.poll() is None:
            shell.kill()
        if shell.stdout is not None:
            shell.stdout.close()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
