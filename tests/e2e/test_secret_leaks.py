"""No secret survives in anything a run leaves behind: artifacts (inside trace.zip too), stdout,
stderr, results.json, junit.xml. Both failing login runs type the password first."""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.smoke_cli import REPO, SMOKE, clean_env, demo_config

pytestmark = pytest.mark.browser

# Characters that every encoding treats differently: space, quote, plus, slash, ampersand, é.
PASSWORD = 'Sm0ke p@ss/"w+rd"&=é-42'


def forms(secret: str) -> dict[str, bytes]:
    return {
        "raw": secret.encode(),
        "url-encoded": quote(secret, safe="").encode(),
        "form-encoded": quote_plus(secret).encode(),
        "json-escaped": json.dumps(secret)[1:-1].encode(),
        "json-escaped-utf8": json.dumps(secret, ensure_ascii=False)[1:-1].encode(),
        "html-escaped": html.escape(secret).encode(),
        # base64 at each alignment it can have inside a larger encoded blob (its stable core)
        **{
            f"base64+{offset}": base64.b64encode(b"\0" * offset + secret.encode()).rstrip(b"=")[
                -(-offset * 4 // 3) : -1
            ]
            for offset in range(3)
        },
    }


def everything(folder: Path, *extra: tuple[str, bytes]) -> list[tuple[str, bytes]]:
    """Every file under `folder`, every member of every zip, and the extra blobs."""
    blobs = list(extra)
    for path in folder.rglob("*"):
        if path.is_file():
            blobs.append((str(path), path.read_bytes()))
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    blobs += [(f"{path}!{n}", archive.read(n)) for n in archive.namelist()]
    return blobs


def run_demo(config: Path, output: Path, fault: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [SMOKE, "demo", "--fault", fault, "--config", str(config), "--output", str(output)],
        cwd=REPO, capture_output=True, env=clean_env(SMOKE_TEST_PASSWORD=PASSWORD), timeout=180,
        check=False,
    )  # fmt: skip


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """The demo config, with a post-login check that fails after a real login."""
    config = demo_config(tmp_path)
    text = (config / "environments" / "demo.yaml").read_text()
    broken = text.replace('visible: "#user-email"', 'visible: "#no-such-element"')
    assert broken != text
    (config / "environments" / "broken.yaml").write_text(
        broken.replace("name: demo", "name: broken")
    )
    return config


@pytest.mark.parametrize("case", ["login-broken", "fails-after-login"])
def test_no_secret_in_any_output_of_a_failed_login(
    config_dir: Path, tmp_path: Path, case: str
) -> None:
    if case == "fails-after-login":
        (config_dir / "environments" / "demo.yaml").write_text(
            (config_dir / "environments" / "broken.yaml")
            .read_text()
            .replace("name: broken", "name: demo")
        )
    output = tmp_path / "out"
    proc = run_demo(config_dir, output, "login-broken" if case == "login-broken" else "")
    doc = json.loads((output / "results.json").read_text())
    login = next(c for c in doc["checks"] if c["id"] == "login_flow")
    assert login["status"] == "fail", login
    assert {"trace.zip", "network.har", "screenshot.png", "console.log"} <= {
        Path(a).name for a in login["artifacts"]
    }

    blobs = everything(output, ("stdout", proc.stdout), ("stderr", proc.stderr))
    hits = [
        (name, form)
        for name, data in blobs
        for form, needle in forms(PASSWORD).items()
        if needle in data
    ]
    assert hits == []

    # The password really was typed and posted: the trace records the fill and the form post,
    # masked. And every session cookie that was set is masked wherever it appears.
    trace = next(data for name, data in blobs if name.endswith("trace.zip!trace.trace"))
    assert b'"selector":"#password"' in trace.replace(b" ", b"") and b"[REDACTED]" in trace
    cookies = [m for _, data in blobs for m in re.findall(rb"bp_session=([^;\"\s]+)", data)]
    assert all(value == b"[REDACTED]" for value in cookies), cookies
    if case == "fails-after-login":
        # Every attempt's HAR: under load a retry may be cut off by the deadline before it logs in.
        hars = [json.loads(data) for name, data in blobs if name.endswith("network.har")]
        sent = [
            h["value"]
            for har in hars
            for entry in har["log"]["entries"]
            for h in entry["request"]["headers"]
            if h["name"].lower() == "cookie"
        ]
        assert sent, f"a logged-in run must have sent its session cookie: {login}"
        assert set(sent) == {"[REDACTED]"}


def test_basic_auth_credentials_work_everywhere_and_leak_nowhere(
    config_dir: Path, tmp_path: Path
) -> None:
    # The demo target behind HTTP basic auth (user "smoke", the accounts' password), as a
    # staging site often is; the credentials come from http_credentials, never from base_url.
    env_file = config_dir / "environments" / "demo.yaml"
    env_file.write_text(
        env_file.read_text()
        + 'http_credentials: {username: smoke, password: "${SMOKE_TEST_PASSWORD}"}\n'
    )
    output = tmp_path / "out"
    proc = subprocess.run(
        [SMOKE, "demo", "--fault", "basic-auth,missing-element", "--config", str(config_dir),
         "--output", str(output)],
        cwd=REPO, capture_output=True, env=clean_env(SMOKE_TEST_PASSWORD=PASSWORD), timeout=180,
        check=False,
    )  # fmt: skip
    doc = json.loads((output / "results.json").read_text())
    # every check got past the basic auth; the homepage then fails (its header is missing), so
    # its trace and HAR, with every request's headers, are kept to be searched
    # (and homepage_looks: the header's nav, its ARIA baseline, is gone with the header)
    failed = [(c["id"], c["failure_class"]) for c in doc["checks"] if c["status"] == "fail"]
    assert failed == [("homepage_load", "product"), ("homepage_looks", "product")], doc
    homepage = next(c for c in doc["checks"] if c["id"] == "homepage_load")
    assert {"trace.zip", "network.har"} <= {Path(a).name for a in homepage["artifacts"]}
    assert proc.returncode == 1, proc.stderr

    header = base64.b64encode(f"smoke:{PASSWORD}".encode())
    blobs = everything(output, ("stdout", proc.stdout), ("stderr", proc.stderr))
    needles = {**forms(PASSWORD), "basic-auth header": header}
    hits = [
        (name, form) for name, data in blobs for form, needle in needles.items() if needle in data
    ]
    assert hits == []
