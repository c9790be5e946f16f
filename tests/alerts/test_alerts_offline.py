"""`smoke alerts plan --offline`: what every provider would get, with no credentials at all."""

from __future__ import annotations

import json
import subprocess

from tests.smoke_cli import REPO, SMOKE, clean_env, smoke

CREDENTIALS = (
    "DD_",
    "AWS_",
    "PINGDOM_",
    "STATUSCAKE_",
    "SMOKE_TEST_PASSWORD",
)


def offline(*argv: str) -> subprocess.CompletedProcess[str]:
    """`smoke alerts plan ARGV…` with no credentials of any provider (and no ~/.aws)."""
    return subprocess.run(
        [SMOKE, "alerts", "plan", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=clean_env(*CREDENTIALS, HOME="/nonexistent"),
        timeout=120,
        check=False,
    )


def test_the_whole_plan_prints_without_credentials():
    result = offline("--offline")

    assert (result.returncode, result.stderr) == (0, "")
    out = result.stdout
    for header in (
        "datadog (site datadoghq.com): 10 resources for env production (offline: compared with "
        "an empty account)",
        "cloudwatch (region <region>): 9 resources for env production (offline",
        "pingdom (https://api.pingdom.com/api/3.1): 3 resources for env production (offline",
        "statuscake (https://api.statuscake.com/v1): 3 resources for env production (offline",
        "datadog (site datadoghq.com): 4 resources for env staging (offline",
        "cloudwatch (region <region>): 4 resources for env staging (offline",
    ):
        assert header in out
    # every resource, with the fields a reviewer checks
    assert "  + create   monitor    [prodsmoke] A health check is failing (production)" in out
    assert (
        "      query: max(last_30m):count_nonzero(max:smoke_test.failures{env:production AND "
        "scope:check AND check IN (health, api_v1_health, api_v1_status)} by {check}"
        ".rollup(max, 1800)) >= 1"
    ) in out
    assert "      priority: P2 · notify: @oncall@betterprompts.com @slack-alerts" in out
    assert "  + create   alarm      prodsmoke-production-many_checks_failing" in out
    assert (
        "      Average of smoke_test.failures {env=production,scope=check} per 1800s > 0.3"
    ) in out
    assert "arn:aws:sns:<region>:<account-id>:smoke-oncall" not in out  # topics shown by name
    assert "  + create   dashboard  smoke_test_status_staging" in out
    assert "  + create   uptime     prodsmoke production health" in out
    assert (
        '      GET https://app.betterprompts.example/health every 5m · must contain "healthy"'
    ) in out
    assert (
        "      GET https://app.betterprompts.example/health every 300s · up on 200 · must contain "
        '"healthy"'
    ) in out
    assert out.count("plan: ") == 6


def test_the_plan_as_json():
    result = offline("--offline", "--format", "json", "--env", "production")

    assert result.returncode == 0
    doc = json.loads(result.stdout)
    assert (doc["action"], doc["offline"]) == ("plan", True)
    assert [(t["provider"], t["env"]) for t in doc["targets"]] == [
        ("datadog", "production"),
        ("cloudwatch", "production"),
        ("pingdom", "production"),
        ("statuscake", "production"),
    ]
    assert doc["summary"] == {"create": 25, "update": 0, "remove": 0, "keep": 0}
    pingdom = doc["targets"][2]
    check = next(c for c in pingdom["changes"] if c["key"] == "prodsmoke production health")
    assert check["action"] == "create"
    assert check["kind"] == "uptime"
    assert check["body"]["shouldcontain"] == '"healthy"'
    assert check["body"]["resolution"] == 5
    assert check["details"][0].startswith("GET https://app.betterprompts.example/health")
    monitor = next(c for c in doc["targets"][0]["changes"] if c["key"] == "checks_degraded")
    assert monitor["body"]["priority"] == 4
    assert monitor["body"]["options"]["notify_no_data"] is False
    notes = doc["targets"][1]["notes"]
    assert any("checks_degraded: left out" in n for n in notes)


def test_one_provider_offline():
    result = offline("--offline", "--provider", "statuscake", "--env", "production")

    assert result.returncode == 0
    assert result.stdout.startswith("statuscake (https://api.statuscake.com/v1): 3 resources")
    assert "datadog" not in result.stdout


def test_without_offline_and_credentials_it_says_how_to_preview():
    result = offline()

    assert result.returncode == 2
    assert result.stderr == (
        "smoke: no provider configured: set DD_API_KEY and DD_APP_KEY, or AWS credentials and "
        "AWS_REGION, or PINGDOM_API_TOKEN / STATUSCAKE_API_TOKEN, or pass --provider; "
        "`smoke alerts plan --offline` needs none\n"
    )


def test_offline_goes_with_plan_only():
    result = smoke("alerts", "apply", "--offline")

    assert result.returncode == 2
    assert result.stderr == (
        "smoke: --offline goes with plan: apply needs the providers' credentials\n"
    )


def test_a_file_without_env_is_not_applied_to_production_by_default(tmp_path):
    (tmp_path / "alert-rules.yaml").write_text(
        "rules:\n  - {id: x, severity: low, failures: 2, window: 1h, notify: [a@b.io]}\n"
    )

    result = offline("--offline", "--config", str(tmp_path))

    assert result.returncode == 2
    assert result.stderr == (
        f"smoke: {tmp_path}/alert-rules.yaml: env: the file names no environment, and smoke "
        "alerts will not guess one: add 'env: NAME' (or an environments: mapping), or pass "
        "--env NAME\n"
    )

    result = offline("--offline", "--config", str(tmp_path), "--env", "staging")

    assert result.returncode == 0
    assert "datadog (site datadoghq.com): 3 resources for env staging" in result.stdout
    assert "[prodsmoke] X (staging)" in result.stdout
    assert "production" not in result.stdout
