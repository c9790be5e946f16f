"""prodsmoke: a production smoke suite that loads a web product the way a user does.

What a journey author types against, imported on first use (`from prodsmoke import Smoke`):
`Smoke`, the `smoke` fixture of a team's journey; `Credentials`, what `smoke.account(name)`
yields. Both bring their runtime (Playwright, the accounts), which `smoke --help` and most
commands never need, so `import prodsmoke` stays cheap (`tests/test_exported_members.py`).
"""

import typing

from prodsmoke import timeline as _timeline  # noqa: F401 - starts the clock
from prodsmoke._version import __version__

if typing.TYPE_CHECKING:
    from prodsmoke.accounts.credentials import Credentials
    from prodsmoke.e2e.journeys.handle import Smoke

__all__ = ["Credentials", "Smoke", "__version__"]


def __getattr__(name: str) -> object:
    """`Smoke` and `Credentials`, imported when first asked for."""
    if name == "Smoke":
        from prodsmoke.e2e.journeys.handle import Smoke

        return Smoke
    if name == "Credentials":
        from prodsmoke.accounts.credentials import Credentials

        return Credentials
    raise AttributeError(f"module 'prodsmoke' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted({*globals(), *__all__})
