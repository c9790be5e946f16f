"""The templates a project is written from: `templates/<name>.tmpl`, package data.

A template is the file as it will be, with `@{name}` where a value goes. Neither `$` (shell,
Dockerfiles, GitHub's `${{ }}`) nor `{}` (YAML flow mappings) means anything here, so each
template reads as the file it becomes, and no template engine is needed. Every placeholder must
be given and every value given must be used: a mismatch is a bug in the caller, raised at once.
"""

from __future__ import annotations

import re
from importlib.resources import files

_PLACEHOLDER = re.compile(r"@\{([a-z_]+)\}")


def render(template: str, /, **values: str) -> str:
    """`templates/<template>.tmpl` with its placeholders filled from `values`."""
    text = (files("prodsmoke.scaffold") / "templates" / f"{template}.tmpl").read_text("utf-8")
    wanted = set(_PLACEHOLDER.findall(text))
    if wanted != set(values):
        missing, unused = sorted(wanted - set(values)), sorted(set(values) - wanted)
        raise KeyError(f"template {template}: missing {missing}, unused {unused}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
