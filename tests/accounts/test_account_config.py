"""The accounts' and the lease's config: shipped files load, mistakes are one named line."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodsmoke.config import load_settings
from prodsmoke.errors import ConfigError
from tests.smoke_cli import DEMO_CONFIG

REPO = Path(__file__).resolve().parents[2]


def test_shipped_environments_configure_leases_and_the_demo_unlock() -> None:
    environ = {"SMOKE_TEST_PASSWORD": "pw-1234"}
    demo = load_settings(DEMO_CONFIG, "demo", environ=environ)
    assert demo.account_lease.backend == "file"
    unlock = demo.accounts["basic"].unlock
    assert unlock is not None and unlock.body == {"account": "{username}"}
    assert ("POST", "/__demo__/unlock") in {(w.method, w.path) for w in demo.safety.allowed_writes}
    production = load_settings(REPO / "config", "production", environ=environ)
    assert (production.account_lease.backend, production.account_lease.table) == (
        "dynamodb",
        "prodsmoke-account-leases",
    )


def test_no_lease_key_means_file_leases_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "t.yaml").write_text("base_url: http://127.0.0.1:9\n")
    lease = load_settings(tmp_path, "t", environ={}).account_lease
    assert (lease.backend, lease.folder, lease.ttl_s, lease.wait_s) == ("file", None, 120, 10)


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        (
            "account_lease: {backend: dynamodb}",
            "account_lease: got a mapping: backend dynamodb needs table: NAME, "
            "e.g. table: prodsmoke-leases",
        ),
        (
            "account_lease: {backend: redis}",
            "account_lease.backend: got 'redis': input should be 'file' or 'dynamodb'",
        ),
        (
            "account_lease: {wait: 3}",
            "account_lease.wait: unknown key 'wait'; did you mean 'wait_s'?",
        ),
        (
            "account_lease: {ttl_s: 0}",
            "account_lease.ttl_s: got 0, expected seconds a lease lives unrenewed, 1-3600",
        ),
        (
            "accounts: {b: {username: u, password: pw-1234, "
            "unlock: {url: /u, json: {account: '{user}'}}}}",
            "accounts.b.unlock: got a mapping: unknown placeholder {user}; "
            "the only one is {username}",
        ),
        (
            "accounts: {b: {username: u, password: pw-1234, unlock: {method: GET, url: /u}}}",
            "accounts.b.unlock.method: got 'GET': input should be 'POST', 'PUT', 'PATCH' or "
            "'DELETE'",
        ),
    ],
)
def test_config_mistakes_are_one_line(tmp_path: Path, yaml: str, expected: str) -> None:
    (tmp_path / "environments").mkdir()
    file = tmp_path / "environments" / "t.yaml"
    file.write_text(f"base_url: http://127.0.0.1:9\n{yaml}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, "t", environ={})
    assert str(info.value) == f"{file}: {expected}"
