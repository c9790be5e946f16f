"""prodsmoke's version, in a module of its own: the package's modules read it from here, so none
of them imports the package root (which imports the journey handle on demand)."""

__version__ = "0.1.0"
