"""Configuration: YAML under `config/` validated into frozen, typed `Settings` (SPEC §5)."""

from prodsmoke.config.loader import available_environments, environment_file, load_settings
from prodsmoke.config.models import Account, HttpCheck, Settings

__all__ = [
    "Account",
    "HttpCheck",
    "Settings",
    "available_environments",
    "environment_file",
    "load_settings",
]
