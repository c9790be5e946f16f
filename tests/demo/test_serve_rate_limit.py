"""`smoke serve-demo --rate-limit N`: the target advertises N a minute and refuses the N+1th."""

from __future__ import annotations

import subprocess
import sys

import httpx

from prodsmoke.demo.process import BANNER

SERVE = [sys.executable, "-m", "prodsmoke", "serve-demo", "--port", "0", "--quiet"]


def test_rate_limit_flag_sets_the_advertised_limit_and_refuses_past_it() -> None:
    process = subprocess.Popen(
        [*SERVE, "--rate-limit", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={"SMOKE_TEST_PASSWORD": "pw", "PATH": ""},
    )
    try:
        assert process.stdout is not None
        banner = next(line for line in process.stdout if line.startswith(BANNER))
        url = banner[len(BANNER) :].split()[0]
        with httpx.Client(base_url=url, timeout=5) as client:
            answers = [client.get("/api/v1/test") for _ in range(4)]
            audit = client.get("/__demo__/audit").json()
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["ratelimit-policy"] == "3;w=60"
        assert audit["traffic"]["status_429"] == 1
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_a_bad_rate_limit_is_one_line_and_exit_2() -> None:
    done = subprocess.run(
        [*SERVE, "--rate-limit", "0"], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--rate-limit" in lines[0]
    assert "expected a whole number >= 1" in lines[0]
