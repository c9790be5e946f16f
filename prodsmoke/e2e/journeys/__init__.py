"""The browser journeys: the built-in kinds, a team's YAML steps and Python files.

Importing this package registers every built-in kind (`page_load`, `text_submit`, `login`,
`steps`, `python`); every entry point imports it before it loads a configuration. To add a kind,
see `prodsmoke.config.journeys` (the spec) and `registry.register` (the implementation).
"""

from prodsmoke.e2e.journeys import enhancement, login, page_load, python, scripted
from prodsmoke.e2e.journeys.base import JourneyRun
from prodsmoke.e2e.journeys.registry import implemented, register, runner_for

__all__ = [
    "JourneyRun",
    "enhancement",
    "implemented",
    "login",
    "page_load",
    "python",
    "register",
    "runner_for",
    "scripted",
]
