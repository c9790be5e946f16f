"""A history per test, on SQLite and on a real PostgreSQL server, and helpers to fill it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from prodsmoke.history import History
from tests.pg_server import SKIP_REASON, PgServer, postgres_server, server_bin

PG_FIXTURES = {"pg_server", "pg_url", "own_server"}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without PostgreSQL, skip the tests that need it with one reason (folded per file)."""
    if server_bin() is not None:
        return
    for item in items:
        if HERE not in item.path.parents:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        if PG_FIXTURES & set(getattr(item, "fixturenames", ())) or "postgresql" in params.values():
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the session (skipped, saying why, when it is not installed)."""
    with postgres_server() as server:
        if server is None:
            pytest.skip(SKIP_REASON)
        yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A new, empty database on the session's server."""
    return pg_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[History]:
    """An empty history on each engine."""
    if request.param == "sqlite":
        found = History(tmp_path / "out" / "history.sqlite", retention_days=90)
    else:
        found = History(request.getfixturevalue("pg_url"), retention_days=90)
    yield found
    found.close()
