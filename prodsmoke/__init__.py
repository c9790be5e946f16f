"""prodsmoke: a production smoke suite that loads a web product the way a user does."""

__version__ = "0.1.0"

from prodsmoke import timeline as _timeline  # noqa: F401 - starts the clock
