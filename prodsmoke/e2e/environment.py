"""An alias of `prodsmoke.config.load_settings`, kept only for its two importers in code other
branches are changing (`aws_lambda/handler.py`, `pytest_plugin.py`): they can call
`prodsmoke.config.load_settings` themselves, and then this module goes. The journey kinds are
config's own table now (`config.kinds`), so loading needs no import before it."""

from __future__ import annotations

from prodsmoke.config.loader import load_settings as load

__all__ = ["load"]
