"""`${VAR}` references in YAML values, resolved from the environment at load time.

${NAME}            the variable's value; unset is a configuration error
${NAME:-default}   the value, or `default` when unset or empty
$${                a literal "${"
${account.FIELD}   left as it is: a YAML step journey's leased account, filled in at run time
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_REF = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?")


class MissingVariable(LookupError):
    """A `${VAR}` names a variable that is not set (or the reference is malformed)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


PLACEHOLDER = "${unresolved}"  # stands in for a missing variable so validation can still run


def resolve(
    tree: Any, environ: Mapping[str, str], missing: list[MissingVariable], path: str = ""
) -> Any:
    """Return `tree` with every `${VAR}` replaced; unresolvable ones are appended to `missing`."""
    if isinstance(tree, dict):
        return {k: resolve(v, environ, missing, _join(path, k)) for k, v in tree.items()}
    if isinstance(tree, list):
        return [resolve(v, environ, missing, _join(path, i)) for i, v in enumerate(tree)]
    if isinstance(tree, str) and "$" in tree:
        try:
            return _resolve_string(tree, environ, path)
        except MissingVariable as exc:
            missing.append(exc)
            return PLACEHOLDER
    return tree


def _resolve_string(text: str, environ: Mapping[str, str], path: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        whole, name, default = match.group(0), match.group(1), match.group(2)
        if whole == "$${":
            return "${"
        if whole.startswith("${account."):
            return whole
        if name is None:
            raise MissingVariable(
                path, f"malformed reference {whole!r}; expected ${{NAME}} or ${{NAME:-default}}"
            )
        value = environ.get(name, "")
        if value:
            return value
        if default is not None:
            return default
        raise MissingVariable(
            path,
            f"environment variable {name} is not set; "
            f"expected it exported (referenced as ${{{name}}})",
        )

    return _REF.sub(substitute, text)
