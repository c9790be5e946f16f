"""Logins as production has them (issue 21), with real Chromium against the real demo target:
one sign-in per account per run, TOTP after the password, a passkey, and no secret of theirs in
anything a run leaves behind."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from prodsmoke.demo import DemoServer
from prodsmoke.demo.mfa import passkey, totp_secret
from tests.conftest import DEMO_PASSWORD
from tests.e2e.test_secret_leaks import everything, forms
from tests.smoke_cli import REPO, SMOKE, clean_env

pytestmark = pytest.mark.browser

WRITES = """
  allowed_writes:
    - {method: POST, path: /api/v1/auth/login, reason: login}
    - {method: POST, path: /api/v1/auth/logout, reason: logout}
    - {method: POST, path: /api/v1/auth/totp, reason: the second factor}
    - {method: POST, path: /api/v1/auth/passkey/options, reason: a passkey challenge}
    - {method: POST, path: /api/v1/auth/passkey/verify, reason: a passkey assertion}
"""
SIGN_IN_BASIC = """
    session:
      sign_in:
        - goto: /login
        - fill: {"#email": "${account.username}", "#password": "${account.password}"}
        - click: "#login-button"
        - expect_url: "**/dashboard"
      sign_out: [{click: "#logout-button"}]
"""
SIGN_IN_MFA = """
    session:
      sign_in:
        - goto: /login
        - fill: {"#email": "${account.username}", "#password": "${account.password}"}
        - click: "#login-button"
        - fill: {"#otp": "${account.totp}"}
        - click: "#verify"
        - expect_url: "**/dashboard"
      sign_out: [{click: "#logout-button"}]
"""
DASHBOARD = (
    "{{account: {account}, steps: [{{goto: /dashboard}}, "
    '{{expect_text: {{"#user-email": "{user}"}}}}]}}'
)
LOG_IN_AND_OUT = (
    '{{account: {account}, steps: [{{goto: /login}}, {{fill: {{"#email": "${{account.username}}", '
    '"#password": "${{account.password}}"}}}}, {{click: "#login-button"}}, '
    '{{expect_text: {{"#user-email": "{user}"}}}}, {{click: "#logout-button"}}, '
    '{{expect_url: "**/"}}]}}'
)
TOTP_FROM_ENV = '    totp: {secret: "${SMOKE_DEMO_TOTP_SECRET}"}\n'


def environment(journeys: dict[str, str], accounts: str, *, deadline: int = 60) -> str:
    lines = "\n".join(f"  {name}: {spec}" for name, spec in journeys.items())
    return (
        "name: demo\nbase_url: ${SMOKE_DEMO_URL}\n"
        f"deadline_s: {deadline}\nretry: {{attempts: 3, initial_delay_s: 0.2}}\n"
        "safety:\n  allowed_hosts: [127.0.0.1]" + WRITES
        + "  rate_budget: {share_of_limit: 0.5, max_requests_per_minute: 600}\n"
        f"journeys:\n{lines}\naccounts:\n{accounts}"
    )  # fmt: skip


def account(name: str, user: str, extra: str = "") -> str:
    return f'  {name}:\n    username: {user}\n    password: "${{SMOKE_TEST_PASSWORD}}"\n{extra}'


def run(
    tmp_path: Path, server: DemoServer, text: str, *flags: str, **env: str
) -> tuple[subprocess.CompletedProcess[bytes], dict[str, Any], Path]:
    config = tmp_path / "config"
    (config / "environments").mkdir(parents=True, exist_ok=True)
    (config / "environments" / "demo.yaml").write_text(text)
    output = tmp_path / "out"
    given = {
        "SMOKE_DEMO_URL": server.url,
        "SMOKE_TEST_PASSWORD": DEMO_PASSWORD,
        "SMOKE_DEMO_TOTP_SECRET": totp_secret(DEMO_PASSWORD),
        "SMOKE_DEMO_PASSKEY": json.dumps(passkey(DEMO_PASSWORD)),
        **env,
    }
    proc = subprocess.run(
        [SMOKE, "run", "--env", "demo", "--config", str(config), "--output", str(output), *flags],
        cwd=REPO, capture_output=True, env=clean_env(**{k: v for k, v in given.items() if v}),
        timeout=240, check=False,
    )  # fmt: skip
    results = output / "results.json"
    doc = json.loads(results.read_text()) if results.is_file() else {}
    return proc, doc, output


def assert_each_failed_once(doc: dict[str, Any], *says: str) -> None:
    """Every check failed as `product` after one attempt (never retried), its error saying each
    of `says`."""
    assert doc["checks"]
    for check in doc["checks"]:
        verdict = (check["status"], check["failure_class"], check["attempts"])
        assert verdict == ("fail", "product", 1), check["id"]
        for text in says:
            assert text in check["error"]


def counts(server: DemoServer, user: str) -> dict[str, int]:
    return server.audit()["counts"].get(user, {"logins": 0, "logouts": 0, "totp": 0})


BASIC = "smoke-test-basic@betterprompts.com"
MFA = "smoke-test-mfa@betterprompts.com"
PASSKEY = "smoke-test-passkey@betterprompts.com"


def test_ten_journeys_on_one_account_sign_in_once_and_out_once(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    # Today's way: each journey logs in and out itself (ten logins and ten logouts a run).
    each = {f"own_login_{i}": LOG_IN_AND_OUT.format(account="basic", user=BASIC) for i in range(10)}
    proc, before, _ = run(tmp_path / "a", demo_target, environment(each, account("basic", BASIC)))
    assert proc.returncode == 0, proc.stdout.decode()[-2000:]
    assert {c["status"] for c in before["checks"]} == {"pass"}
    today = counts(demo_target, BASIC)
    assert (today["logins"], today["logouts"]) == (10, 10)

    # With `session:`, the same ten journeys start signed in.
    demo_target.reset()
    shared = {f"signed_in_{i}": DASHBOARD.format(account="basic", user=BASIC) for i in range(10)}
    text = environment(shared, account("basic", BASIC, SIGN_IN_BASIC))
    proc, after, _ = run(tmp_path / "b", demo_target, text)
    assert proc.returncode == 0, proc.stdout.decode()[-2000:]
    assert {c["status"] for c in after["checks"]} == {"pass"}
    assert [c["attempts"] for c in after["checks"]] == [1] * 10
    now = counts(demo_target, BASIC)
    assert (now["logins"], now["logouts"]) == (1, 1)
    assert after["safety"]["requests"] < before["safety"]["requests"]
    print(f"\nrequests: {before['safety']['requests']} -> {after['safety']['requests']}; "
          f"run {before['duration_ms']} ms -> {after['duration_ms']} ms")  # fmt: skip


def _codes(secret: str, since: float, until: float) -> set[str]:
    from prodsmoke.config import totp as totps

    key = totps.parse(secret)
    return {key.code(step) for step in range(key.counter(since) - 2, key.counter(until) + 3)}


def test_totp_passkey_and_session_secrets_leak_nowhere(
    demo_target: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens: list[str] = []
    auth = demo_target._state.auth
    opened = auth.open_session

    def recording(email: str) -> str:
        tokens.append(opened(email))
        return tokens[-1]

    monkeypatch.setattr(auth, "open_session", recording)
    journeys = {
        "mfa_dashboard": DASHBOARD.format(account="mfa", user=MFA),
        # fails once signed in: its artifacts hold the reused session's cookie, scrubbed
        "mfa_missing": (
            '{account: mfa, steps: [{goto: /dashboard}, {expect_visible: "#no-such-element"}]}'
        ),
        "passkey_missing": (
            '{account: pk, steps: [{goto: /login}, {click: "#passkey-login"}, '
            '{expect_url: "**/dashboard"}, {expect_visible: "#no-such-element"}]}'
        ),
    }
    accounts = account(
        "mfa", MFA, '    totp: {secret: "${SMOKE_DEMO_TOTP_SECRET}"}\n' + SIGN_IN_MFA
    )
    accounts += account("pk", PASSKEY, '    passkey: "${SMOKE_DEMO_PASSKEY}"\n')
    started = time.time()
    # --trace on: every context's trace is kept, the sign-in's (which typed the code) too
    proc, doc, output = run(tmp_path, demo_target, environment(journeys, accounts), "--trace", "on")
    finished = time.time()
    status = {c["id"]: (c["status"], c["failure_class"]) for c in doc["checks"]}
    assert status == {
        "mfa_dashboard": ("pass", None),
        "mfa_missing": ("fail", "product"),
        "passkey_missing": ("fail", "product"),
    }, doc
    mfa, pk = counts(demo_target, MFA), counts(demo_target, PASSKEY)
    assert (mfa["logins"], mfa["logouts"], mfa["totp"]) == (1, 1, 1)
    assert pk["logins"] >= 1 and pk["passkey"] >= 1  # WebAuthn verified by the server
    assert tokens, "the demo target opened sessions"

    secret = totp_secret(DEMO_PASSWORD)
    private = passkey(DEMO_PASSWORD)["privateKey"]
    blobs = everything(output, ("stdout", proc.stdout), ("stderr", proc.stderr))
    kept = [name for name, _ in blobs]
    assert any("session-mfa" in name and name.endswith("trace.zip") for name in kept), kept
    needles = {f"totp secret {k}": v for k, v in forms(secret).items()}
    needles |= {f"private key {k}": v for k, v in forms(private).items()}
    for token in tokens:
        needles |= {f"session cookie {k}": v for k, v in forms(token).items()}
    hits = [
        (name, what) for name, data in blobs for what, needle in needles.items() if needle in data
    ]
    assert hits == []
    # Each code that could have been typed, as a whole number anywhere (six digits in a longer
    # number are not the code).
    codes = _codes(secret, started, finished)
    pattern = re.compile(rb"(?<![0-9])(?:" + b"|".join(c.encode() for c in codes) + rb")(?![0-9])")
    code_hits = [name for name, data in blobs if not name.endswith(".png") and pattern.search(data)]
    assert code_hits == []
    # The code really was typed, into a field drawn like a password field, and then masked.
    traces = [d for n, d in blobs if "session-mfa" in n and n.endswith("trace.trace")]
    trace = next(t for t in traces if b'"selector":"#otp' in t.replace(b" ", b""))
    assert b"[REDACTED]" in trace
    assert b"-webkit-text-security" in trace


def test_a_wrong_totp_secret_is_one_product_failure_and_no_lockout(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    journeys = {f"mfa_page_{i}": DASHBOARD.format(account="mfa", user=MFA) for i in range(3)}
    accounts = account(
        "mfa", MFA, '    totp: {secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}\n' + SIGN_IN_MFA
    )
    proc, doc, _ = run(tmp_path, demo_target, environment(journeys, accounts))
    assert proc.returncode == 1
    assert_each_failed_once(doc, "signing in as account 'mfa'", "TOTP code rejected")
    mfa = counts(demo_target, MFA)
    assert 1 <= mfa["totp"] <= 2  # one code, two only when its 30 s window turned meanwhile
    assert mfa["logins"] == 0
    assert not demo_target._state.mfa.unlock(MFA)  # never locked


def test_a_missing_totp_variable_is_one_line_and_exit_2(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    accounts = account(
        "mfa", MFA, '    totp: {secret: "${SMOKE_DEMO_TOTP_SECRET}"}\n' + SIGN_IN_MFA
    )
    text = environment({"mfa_page": DASHBOARD.format(account="mfa", user=MFA)}, accounts)
    proc, _, _ = run(tmp_path, demo_target, text, SMOKE_DEMO_TOTP_SECRET="")
    err = proc.stderr.decode().strip()
    assert proc.returncode == 2, err
    assert len(err.splitlines()) == 1, err
    assert "accounts.mfa.totp.secret: environment variable SMOKE_DEMO_TOTP_SECRET is not set" in err
    assert counts(demo_target, MFA)["totp"] == 0


TEAM_TESTS = """
import re

from playwright.async_api import Page as AsyncPage
from playwright.async_api import expect as async_expect
from playwright.sync_api import Page, expect


def test_signed_in_dashboard(page: Page, smoke) -> None:
    page.goto("/dashboard")  # no login: the journey's settings name the account
    expect(page.locator("#user-email")).to_have_text("smoke-test-mfa@betterprompts.com")


async def test_passkey_by_hand(page: AsyncPage, smoke) -> None:
    async with smoke.account("pk"):  # its passkey is installed in the page's context
        await page.goto("/login")
        await page.click("#passkey-login")
        await async_expect(page).to_have_url(re.compile("/dashboard$"))


def test_totp_by_hand(page: Page, smoke) -> None:
    with smoke.account("mfa_own") as account:
        page.goto("/login")
        page.fill("#email", account.username)
        page.fill("#password", account.password)
        page.click("#login-button")
        page.fill("#otp", account.totp())
        page.click("#verify")
        expect(page).to_have_url(re.compile("/dashboard$"))
"""


def test_pytest_journeys_start_signed_in_and_type_account_totp(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / "test_team.py").write_text(TEAM_TESTS)
    mfa_session = account("mfa", MFA, TOTP_FROM_ENV + SIGN_IN_MFA)
    passkey_account = account("pk", PASSKEY, '    passkey: "${SMOKE_DEMO_PASSKEY}"\n')
    # (the passkey ceremony runs in the click's handler: INP is not what this test is about)
    settings = {
        "signed_in_dashboard": "{account: mfa}",
        "passkey_by_hand": "{vitals: {inp_ms: null}}",
        "totp_by_hand": "{enabled: false}",
    }
    text = environment(settings, mfa_session + passkey_account)
    proc, doc, _ = run(tmp_path, demo_target, text)
    assert proc.returncode == 0, proc.stdout.decode()[-3000:]
    assert {c["id"]: c["status"] for c in doc["checks"]} == {
        "signed_in_dashboard": "pass",
        "passkey_by_hand": "pass",
    }
    assert counts(demo_target, MFA)["logins"] == 1  # the sign-in, not the test
    assert counts(demo_target, PASSKEY)["passkey"] == 1

    # account.totp() in a team's own login (its account has no session: a code is refused
    # once used, RFC 6238 §5.2, so a second login in the sign-in's 30 s would be refused).
    demo_target.reset()
    (tmp_path / "own" / "e2e").mkdir(parents=True)
    (tmp_path / "own" / "e2e" / "test_team.py").write_text(TEAM_TESTS)
    own = account("mfa_own", MFA, TOTP_FROM_ENV)
    text = environment({"totp_by_hand": "{}", "signed_in_dashboard": "{enabled: false}",
                        "passkey_by_hand": "{enabled: false}"}, own)  # fmt: skip
    proc, doc, _ = run(tmp_path / "own", demo_target, text)
    assert [(c["id"], c["status"]) for c in doc["checks"]] == [("totp_by_hand", "pass")], doc
    assert counts(demo_target, MFA)["totp"] == 1


def test_an_interrupted_run_still_signs_out(demo_target: DemoServer, tmp_path: Path) -> None:
    waits = '{account: basic, timeout_s: 40, steps: [{goto: /dashboard}, {wait_for: "#never"}]}'
    text = environment({"long_wait": waits}, account("basic", BASIC, SIGN_IN_BASIC), deadline=90)
    config = tmp_path / "config"
    (config / "environments").mkdir(parents=True)
    (config / "environments" / "demo.yaml").write_text(text)
    env = clean_env(SMOKE_DEMO_URL=demo_target.url, SMOKE_TEST_PASSWORD=DEMO_PASSWORD)
    argv = [SMOKE, "run", "--env", "demo", "--config", str(config), "--output", str(tmp_path / "o")]
    log = tmp_path / "stderr.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        give_up = time.monotonic() + 60
        while counts(demo_target, BASIC)["logins"] < 1 and time.monotonic() < give_up:
            time.sleep(0.2)
        assert counts(demo_target, BASIC)["logins"] == 1
        time.sleep(1.0)  # the journey is waiting on its signed-in page
        proc.terminate()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, log.read_text()
    assert counts(demo_target, BASIC)["logouts"] == 1  # sign_out ran after the signal


def test_smoke_accounts_passkey_writes_a_credential_the_config_accepts(tmp_path: Path) -> None:
    from prodsmoke.config import passkey as passkeys

    target = tmp_path / "passkey.json"
    proc = subprocess.run(
        [SMOKE, "accounts", "passkey", "--rp-id", "app.example.com", "--to", str(target)],
        cwd=REPO, capture_output=True, text=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    created = passkeys.parse(target.read_text())
    assert created.rp_id == "app.example.com"
    assert created.private_key not in proc.stdout


LOGIN_KIND = (
    '{kind: login, account: mfa, url: /login, username: "#email", password: "#password", '
    'submit: "#login-button", totp: "#otp", totp_submit: "#verify", '
    'success: {url: "**/dashboard", visible: "#user-email"}, '
    'logout: {click: "#logout-button", success_url: "**/"}}'
)


def test_the_login_kind_types_a_totp_code_and_a_refused_one_is_final(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    from prodsmoke.demo import Faults

    text = environment({"mfa_login": LOGIN_KIND}, account("mfa", MFA, TOTP_FROM_ENV))
    proc, doc, _ = run(tmp_path / "ok", demo_target, text)
    assert proc.returncode == 0, doc
    assert counts(demo_target, MFA) == {
        "logins": 1, "failed_logins": 0, "logouts": 1, "totp": 1, "passkey": 0
    }  # fmt: skip

    demo_target.reset()
    demo_target.set_faults(Faults.parse("totp-broken"))
    proc, doc, _ = run(tmp_path / "broken", demo_target, text)
    assert len(doc["checks"]) == 1
    assert_each_failed_once(doc, "TOTP code rejected (typed into #otp)")
    assert 1 <= counts(demo_target, MFA)["totp"] <= 2


BY_HAND_TWICE = """
import re

from playwright.sync_api import Page, expect


def _log_in_and_out(page: Page, smoke) -> None:
    with smoke.account("mfa_own") as account:
        page.goto("/login")
        page.fill("#email", account.username)
        page.fill("#password", account.password)
        page.click("#login-button")
        page.fill("#otp", account.totp())
        page.click("#verify")
        expect(page).to_have_url(re.compile("/dashboard$"))
        page.click("#logout-button")


def test_first_by_hand(page: Page, smoke) -> None:
    _log_in_and_out(page, smoke)


def test_second_by_hand(page: Page, smoke) -> None:
    _log_in_and_out(page, smoke)
"""


def _windows(server: DemoServer, user: str) -> list[int]:
    """The 30 s windows the target checked the account's codes in, each accepted."""
    entries = [e for e in server.audit()["second_factor"] if e["account"] == user]
    assert all(e["ok"] for e in entries), entries
    return [int(e["t"] // 30) for e in entries]


def test_account_totp_in_sync_journeys_never_types_a_spent_code(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    # Two journeys log in by hand with account.totp(), one after the other (the lease): the
    # second's code comes from the next window, since the first's is refused once used.
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / "test_team.py").write_text(BY_HAND_TWICE)
    settings = {"first_by_hand": "{timeout_s: 60}", "second_by_hand": "{timeout_s: 60}"}
    text = environment(settings, account("mfa_own", MFA, TOTP_FROM_ENV), deadline=120)
    proc, doc, _ = run(tmp_path, demo_target, text)
    assert proc.returncode == 0, proc.stdout.decode()[-3000:]
    assert {c["id"]: c["attempts"] for c in doc["checks"]} == {
        "first_by_hand": 1,
        "second_by_hand": 1,
    }
    first, second = _windows(demo_target, MFA)
    assert second > first


def test_two_runs_on_one_totp_account_take_turns_through_the_file_lease(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    # Two runs (two regions, say) at once: the second waits for the first's lease, then for a
    # window whose code the first did not type (the target would refuse it again).
    journeys = {f"mfa_page_{i}": DASHBOARD.format(account="mfa", user=MFA) for i in range(3)}
    text = environment(journeys, account("mfa", MFA, TOTP_FROM_ENV + SIGN_IN_MFA), deadline=120)
    text += f"account_lease: {{backend: file, folder: {tmp_path / 'leases'}, wait_s: 60}}\n"
    config = tmp_path / "config"
    (config / "environments").mkdir(parents=True)
    (config / "environments" / "demo.yaml").write_text(text)
    env = clean_env(
        SMOKE_DEMO_URL=demo_target.url,
        SMOKE_TEST_PASSWORD=DEMO_PASSWORD,
        SMOKE_DEMO_TOTP_SECRET=totp_secret(DEMO_PASSWORD),
    )
    argv = [SMOKE, "run", "--env", "demo", "--config", str(config), "--output"]
    procs = [
        subprocess.Popen(
            [*argv, str(tmp_path / out)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for out in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=200)
        assert proc.returncode == 0, err.decode()[-2000:]
    for out in ("a", "b"):
        doc = json.loads((tmp_path / out / "results.json").read_text())
        assert {c["status"] for c in doc["checks"]} == {"pass"}
    assert (counts(demo_target, MFA)["logins"], counts(demo_target, MFA)["logouts"]) == (2, 2)
    first, second = _windows(demo_target, MFA)
    assert first != second


def test_smoke_accounts_passkey_never_overwrites_a_file(tmp_path: Path) -> None:
    target = tmp_path / "passkey.json"
    target.write_text("an enrolled passkey\n")
    proc = subprocess.run(
        [SMOKE, "accounts", "passkey", "--rp-id", "app.example.com", "--to", str(target)],
        cwd=REPO, capture_output=True, text=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "the file exists" in proc.stderr, proc.stderr
    assert target.read_text() == "an enrolled passkey\n"


SIGN_IN_PASSKEY = """    passkey: "${SMOKE_DEMO_PASSKEY}"
    session:
      sign_in: [{goto: /login}, {click: "#passkey-login"}, {expect_url: "**/dashboard"}]
      sign_out: [{click: "#logout-button"}]
"""


def test_a_passkey_session_signs_in_once_and_passkey_broken_is_one_product_failure(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    from prodsmoke.demo import Faults

    journeys = {f"pk_page_{i}": DASHBOARD.format(account="pk", user=PASSKEY) for i in range(3)}
    text = environment(journeys, account("pk", PASSKEY, SIGN_IN_PASSKEY))
    proc, doc, _ = run(tmp_path / "ok", demo_target, text)
    assert proc.returncode == 0, proc.stdout.decode()[-2000:]
    assert counts(demo_target, PASSKEY) == {
        "logins": 1, "failed_logins": 0, "logouts": 1, "totp": 0, "passkey": 1
    }  # fmt: skip

    # The server lost the enrolled public key: its refusal is one verdict for every journey.
    demo_target.reset()
    demo_target.set_faults(Faults.parse("passkey-broken"))
    proc, doc, _ = run(tmp_path / "broken", demo_target, text)
    assert proc.returncode == 1
    assert_each_failed_once(doc, "signing in as account 'pk'", "passkey/verify answered HTTP 401")
    attempts = [
        {k: e[k] for k in ("account", "kind", "ok")} for e in demo_target.audit()["second_factor"]
    ]
    assert attempts == [{"account": PASSKEY, "kind": "passkey", "ok": False}]
    assert counts(demo_target, PASSKEY)["logins"] == 0
