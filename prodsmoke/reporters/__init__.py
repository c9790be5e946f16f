"""Where results go: the reporter contract and its implementations."""

from prodsmoke.reporters.base import Reporter, publish

__all__ = ["Reporter", "publish"]
