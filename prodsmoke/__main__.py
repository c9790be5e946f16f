"""`python -m prodsmoke` is the `smoke` command."""

from prodsmoke.cli import entry

entry()
