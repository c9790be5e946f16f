"""`prodsmoke`'s public surface (as httpx's tests/test_exported_members.py keeps its own): `__all__`
sorted and complete, every name in it importable, and the lazy ones still lazy."""

from __future__ import annotations

import inspect
import subprocess
import sys
import types

import prodsmoke
from prodsmoke import Credentials, Smoke

INCLUDED_PRIVATE_MEMBERS = ("__version__",)


def test_all_is_sorted_and_names_every_public_member() -> None:
    public = [
        name
        for name in dir(prodsmoke)
        if (not name.startswith("_") or name in INCLUDED_PRIVATE_MEMBERS)
        and not isinstance(getattr(prodsmoke, name), types.ModuleType)  # submodules
    ]
    assert prodsmoke.__all__ == sorted(public)  # the order ruff keeps it in (RUF022)


def test_every_exported_name_is_what_a_journey_author_types_against() -> None:
    for name in prodsmoke.__all__:
        assert getattr(prodsmoke, name) is not None
    assert Smoke.__module__ == "prodsmoke.e2e.journeys.handle"
    assert Credentials.__module__ == "prodsmoke.accounts.credentials"
    fields = {"name", "username", "password", "totp_secret", "passkey"}  # issue 21: 2nd factors
    assert set(inspect.signature(Credentials).parameters) == fields
    assert callable(Credentials.totp)  # account.totp() in a Python journey (SPEC §16)


def test_importing_prodsmoke_imports_neither_playwright_nor_the_accounts() -> None:
    # `smoke --help` and most commands never need them (about 340 ms of start-up for Smoke's)
    probe = (
        "import sys, prodsmoke; "
        "print(sorted(m for m in ('playwright', 'prodsmoke.e2e', 'prodsmoke.accounts') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
