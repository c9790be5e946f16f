"""deploy/k8s/cronjob.yaml: the fields that make it safe to leave running, and consistent with
the image and the config it runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from prodsmoke.config import load_settings

REPO = Path(__file__).resolve().parents[2]
CRONJOB = REPO / "deploy" / "k8s" / "cronjob.yaml"
SECRET_NAMES = {"SMOKE_TEST_PASSWORD", "DD_API_KEY", "DD_APP_KEY", "NEW_RELIC_LICENSE_KEY"}
UNITS = {"Mi": 1, "Gi": 1024}


@pytest.fixture(scope="module")
def cronjob() -> dict[str, Any]:
    (doc,) = [d for d in yaml.safe_load_all(CRONJOB.read_text()) if d]
    assert (doc["apiVersion"], doc["kind"]) == ("batch/v1", "CronJob")
    return dict(doc)


def pod(cronjob: dict[str, Any]) -> dict[str, Any]:
    return dict(cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"])


def mebibytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()  # type: ignore[union-attr]
    return int(number) * UNITS[unit]


def test_one_run_at_a_time_with_a_deadline_and_no_blind_retries(cronjob: dict[str, Any]) -> None:
    spec = cronjob["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    job = spec["jobTemplate"]["spec"]
    environ = {"SMOKE_TEST_PASSWORD": "not-used-by-this-test-5d1c"}
    deadline = load_settings(REPO / "config", "production", environ=environ).deadline_s
    assert deadline + 30 <= job["activeDeadlineSeconds"] <= 900
    assert job["backoffLimit"] == 0
    assert pod(cronjob)["restartPolicy"] == "Never"


def test_secrets_come_only_from_a_secret(cronjob: dict[str, Any]) -> None:
    (container,) = pod(cronjob)["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert set(env) >= SECRET_NAMES
    refs = {env[name]["valueFrom"]["secretKeyRef"]["name"] for name in SECRET_NAMES}
    assert refs == {"prodsmoke-secrets"}
    assert all("value" not in env[name] for name in SECRET_NAMES)
    assert env["SMOKE_TEST_PASSWORD"]["valueFrom"]["secretKeyRef"].get("optional") is not True


def test_runs_non_root_on_a_read_only_root_filesystem(cronjob: dict[str, Any]) -> None:
    spec = pod(cronjob)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert spec["automountServiceAccountToken"] is False
    (container,) = spec["containers"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    # every folder the run writes is an emptyDir: the output, /tmp (HOME, TMPDIR) and /dev/shm
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    args = container["args"]
    output = args[args.index("--output") + 1]
    env = {e["name"]: e.get("value") for e in container["env"]}
    for path in (output, env["HOME"], env["TMPDIR"], "/dev/shm"):
        assert "emptyDir" in volumes[mounts[path]], path


def test_runs_smoke_run_with_resources_sized_from_the_measurement(
    cronjob: dict[str, Any],
) -> None:
    (container,) = pod(cronjob)["containers"]
    assert container["command"] == ["smoke"]
    assert container["args"][:2] == ["run", "--env"]
    resources = container["resources"]
    # bench/peak_memory.py on full runs: at most 515 MiB PSS, 1014 MiB RSS summed (all processes)
    assert mebibytes(resources["requests"]["memory"]) >= 512
    shm = next(v for v in pod(cronjob)["volumes"] if v["name"] == "shm")["emptyDir"]["sizeLimit"]
    assert mebibytes(resources["limits"]["memory"]) >= 1024 + mebibytes(shm)
    assert resources["requests"]["cpu"]


def test_a_terminated_pod_has_time_to_report(cronjob: dict[str, Any]) -> None:
    # SIGTERM stops the checks (< 3 s with the local outputs: bench/interrupt.py); the remote
    # reporters may then use what is left of the run deadline. SIGKILL must not come before.
    environ = {"SMOKE_TEST_PASSWORD": "not-used-by-this-test-5d1c"}
    deadline = load_settings(REPO / "config", "production", environ=environ).deadline_s
    grace = pod(cronjob)["terminationGracePeriodSeconds"]
    assert deadline + 3 <= grace <= cronjob["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"]
