"""Gatus-style conditions for HTTP checks: parsed once at config load, evaluated per response.

Grammar (whitespace around the operator is optional)::

    condition := left op right
    left      := ref | "len(" ref ")" | "has(" ref ")"
    ref       := "[STATUS]" | "[RESPONSE_TIME]" | "[BODY]" path? | "[HEADER]." name
    path      := ("." key | "[" index "]")+
    op        := "==" | "!=" | "<" | "<=" | ">" | ">="
    right     := literal | "any(" literal ("," literal)* ")" | "pat(" glob ")"

Examples::

    [STATUS] == any(200, 204)
    [RESPONSE_TIME] < 100                    ms to response headers: a timing condition
    [BODY].services.database == healthy      the right side is an unquoted literal
    [BODY].data[0].id == 1                   bare [BODY] is the whole body text
    [HEADER].content-type == pat(application/json*)   names are case-insensitive; glob: * ?
    len([BODY].items) > 0                    length of a list, object or string
    has([BODY].errors) == false              whether the path exists

As in Gatus, ``==``/``!=`` compare text (JSON true/false/null read as ``true``/``false``/``null``;
a numeric left side also compares by value, so 200.0 == 200) and ``< <= > >=`` compare numbers.
A missing path or a body that is not JSON fails the condition (has() too, for a body that is not
JSON); evaluation never raises. A timing condition that passes above ``warn_ratio`` of its limit
is a warning. Mistakes a config can hold are syntax errors at load time: a non-numeric right side
of ``<``, a right side shaped like ``name(...)`` other than any()/pat(), has() compared with
anything but true/false.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from prodsmoke.results import Status

PLACEHOLDERS: Final = ("STATUS", "RESPONSE_TIME", "BODY", "HEADER")
OPERATORS: Final = ("==", "!=", "<", "<=", ">", ">=")
_COMPARE: Final = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_NUMBER: Final = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
# Keys stop at operator characters too, because whitespace around the operator is optional.
_SEGMENT: Final = re.compile(r"\.([^\s.\[\]()=!<>]+)|\[(\d+)\]")
_MAX_SHOWN: Final = 60
_ESCAPES: Final = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})  # details stay one line
_FORM: Final = (
    "expected '<left> <op> <right>' with op one of == != < <= > >=, e.g. '[STATUS] == 200'"
)
_REFS: Final = "expected [STATUS], [RESPONSE_TIME], [BODY], [HEADER].<name>"
_FUNCS: Final = "len(<placeholder>) or has(<placeholder>) of [BODY] or [HEADER].<name>"
_RIGHT_FUNCS: Final = "any(<value>, ...) or pat(<glob>)"
_LEN: Final = "len([BODY].items) > 0"
_ANY: Final = "[STATUS] == any(200, 204)"
_HEADER: Final = "[HEADER].content-type == pat(application/json*)"


class ConditionSyntaxError(ValueError):
    """A condition does not follow the grammar; the one-line message gives the expected form."""


@dataclass(frozen=True, slots=True)
class _Parsed:
    function: str | None  # "len" | "has" | None
    placeholder: str
    path: tuple[str | int, ...]
    left: str  # the left side as shown in details, e.g. "len([BODY].items)"
    operator: str
    right: str  # the right side as written, e.g. "any(200, 204)"
    choices: tuple[str, ...]  # the literal, or any()'s literals; empty for pat()
    glob: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class _Unresolved:
    reason: str  # shown in the detail where the value would be


_MISSING: Final = _Unresolved("missing")
_INVALID_JSON: Final = _Unresolved("invalid JSON")
_NO_LENGTH: Final = _Unresolved("not a list, object or string")


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition, checked against the grammar when constructed."""

    source: str
    _parsed: _Parsed = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parsed", _parse(self.source))

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Parse ``text``, raising ConditionSyntaxError if it is not a valid condition."""
        return cls(text)

    @property
    def is_timing(self) -> bool:
        """Whether this is ``[RESPONSE_TIME] < N`` or ``<= N``, which gets a warn threshold."""
        p = self._parsed
        return p.placeholder == "RESPONSE_TIME" and p.operator in ("<", "<=")

    @property
    def placeholder(self) -> str:
        """The placeholder on the left: STATUS, RESPONSE_TIME, BODY or HEADER."""
        return self._parsed.placeholder


@dataclass(frozen=True, slots=True)
class Observation:
    """What one HTTP response looked like."""

    status: int
    response_time_ms: float
    headers: Mapping[str, str]
    body: str
    # Holds the parsed body once a condition needs it, so each response is parsed at most once.
    _json: list[object] = field(default_factory=list, init=False, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict of one condition on one observation."""

    condition: str
    verdict: Status  # pass, warn or fail
    detail: str
    value: float | None


def evaluate(condition: Condition, obs: Observation, *, warn_ratio: float = 0.8) -> Outcome:
    """Evaluate ``condition`` against ``obs``; never raises for anything the response holds."""
    p = condition._parsed
    value = _left_value(p, obs)
    right = _clip(p.right)
    if isinstance(value, _Unresolved):
        detail = f"{p.left} ({value.reason}) {p.operator} {right}"
        return Outcome(condition.source, Status.FAIL, detail, None)
    number = _number(value)
    if p.placeholder == "RESPONSE_TIME" and number is not None:
        shown = str(math.floor(number + 0.5))  # whole ms, half up
    else:
        shown = _clip(_text(value))
    detail = f"{p.left} ({shown}) {p.operator} {right}"
    if p.operator in _COMPARE:
        if number is None:
            return Outcome(condition.source, Status.FAIL, f"{detail}, not a number", None)
        ok = _COMPARE[p.operator](number, float(p.right))
    else:
        ok = _matches(value, p) == (p.operator == "==")
    if not ok:
        return Outcome(condition.source, Status.FAIL, detail, number)
    if condition.is_timing and number is not None:
        threshold = warn_ratio * float(p.right)
        if number > threshold:
            detail = f"{detail}, over warn threshold {_text(round(threshold, 3))}"
            return Outcome(condition.source, Status.WARN, detail, number)
    return Outcome(condition.source, Status.PASS, detail, number)


def _parse(text: str) -> _Parsed:
    rest = text.strip()
    if not rest:
        raise ConditionSyntaxError(f"empty condition; {_FORM}")
    function, placeholder, path, left, rest = _parse_left(rest)
    m = re.match(r"[=!<>~]+", rest := rest.lstrip())
    if m is None:
        raise ConditionSyntaxError(f"missing operator; {_FORM}")
    if (op := m.group()) not in OPERATORS:
        raise _error(f"unknown operator {_clip(op)!r}", "one of == != < <= > >=", "[STATUS] == 200")
    if not (right := rest[m.end() :].strip()):
        raise ConditionSyntaxError(f"missing value after {op!r}; {_FORM}")
    choices, glob = _parse_right(function, op, right)
    return _Parsed(function, placeholder, path, left, op, right, choices, glob)


def _parse_left(text: str) -> tuple[str | None, str, tuple[str | int, ...], str, str]:
    function = None
    if m := re.match(r"([A-Za-z_]\w*)\(\s*", text):
        if (function := m.group(1)) not in ("len", "has"):
            raise _error(f"unknown function {_clip(function)}() on the left", _FUNCS, _LEN)
        text = text[m.end() :]
    if not (m := re.match(r"\[([^\]\s]*)\]", text)):
        raise ConditionSyntaxError(f"the left side must be a placeholder; {_REFS}")
    if (placeholder := m.group(1)) not in PLACEHOLDERS:
        raise ConditionSyntaxError(f"unknown placeholder [{_clip(placeholder)}]; {_REFS}")
    text = text[m.end() :]
    path: list[str | int] = []
    while m := _SEGMENT.match(text):
        path.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        text = text[m.end() :]
    if text[:1] in (".", "["):
        bad = _clip(text.split()[0])
        raise _error(f"bad path segment {bad!r}", ".key or [index]", "[BODY].data[0].id == 1")
    if placeholder == "HEADER" and (len(path) != 1 or isinstance(path[0], int)):
        raise _error("[HEADER] takes one header name", "[HEADER].<name>", _HEADER)
    if placeholder in ("STATUS", "RESPONSE_TIME") and path:
        example = "[STATUS] == 200" if placeholder == "STATUS" else "[RESPONSE_TIME] < 500"
        raise _error(f"[{placeholder}] takes no path", f"[{placeholder}] alone", example)
    left = f"[{placeholder}]" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
    if function is not None:
        if placeholder not in ("BODY", "HEADER"):
            raise _error(f"{function}() cannot take [{placeholder}]", _FUNCS, _LEN)
        if not (m := re.match(r"\s*\)", text)):
            raise _error(f"{function}( is not closed", _FUNCS, _LEN)
        text, left = text[m.end() :], f"{function}({left})"
    return function, placeholder, tuple(path), left, text


def _parse_right(
    function: str | None, op: str, right: str
) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    m = re.fullmatch(r"([A-Za-z_]\w*)\((.*)\)", right, re.DOTALL)
    name = m.group(1) if m else None
    if function == "has" and (name is not None or op in _COMPARE or right not in ("true", "false")):
        what, expected = "has() is true or false", "has(<placeholder>) == true|false"
        raise _error(what, expected, "has([BODY].errors) == false")
    if m is None and re.match(r"(any|pat)\(", right):
        raise _error(f"{right[:3]}( is not closed", _RIGHT_FUNCS, _ANY)
    if m is not None and name not in ("any", "pat"):
        raise _error(f"unknown function {_clip(m.group(1))}() on the right", _RIGHT_FUNCS, _ANY)
    if op in _COMPARE and name is not None:
        raise _error(f"{name}() cannot be used with {op!r}", "== or !=", _ANY)
    if op in _COMPARE and not _NUMBER.fullmatch(right):
        what = f"{op!r} compares numbers but the right side is {_clip(right)!r}"
        raise _error(what, "a number", "[RESPONSE_TIME] < 500")
    if m is not None and name == "pat":
        return (), _compile_glob(m.group(2))
    if m is not None:  # any()
        if not all(choices := tuple(c.strip() for c in m.group(2).split(","))):
            raise _error("any() has an empty value", "values separated by commas", _ANY)
        return choices, None
    return (right,), None


def _error(what: str, expected: str, example: str) -> ConditionSyntaxError:
    return ConditionSyntaxError(f"{what}; expected {expected}, e.g. '{example}'")


def _compile_glob(pattern: str) -> re.Pattern[str]:
    # Gatus's pat() knows only * and ?; fnmatch would also read [...] as a character class,
    # which breaks patterns over JSON text such as pat(*[1,2]*).
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def _left_value(p: _Parsed, obs: Observation) -> object:
    value = _resolve(p, obs)
    if p.function == "has" and value is not _INVALID_JSON:
        # A body that is not JSON stays a failure: "has(errors) == false" must not pass on an
        # HTML error page.
        return not isinstance(value, _Unresolved)
    if p.function == "len" and not isinstance(value, _Unresolved):
        return len(value) if isinstance(value, str | list | dict) else _NO_LENGTH
    return value


def _resolve(p: _Parsed, obs: Observation) -> object:
    if p.placeholder == "STATUS":
        return obs.status
    if p.placeholder == "RESPONSE_TIME":
        return obs.response_time_ms
    if p.placeholder == "HEADER":
        name = str(p.path[0]).lower()
        return next((v for k, v in obs.headers.items() if k.lower() == name), _MISSING)
    if not p.path:
        return obs.body
    if not obs._json:
        try:
            obs._json.append(json.loads(obs.body))
        except (ValueError, RecursionError):
            obs._json.append(_INVALID_JSON)
    return _walk(obs._json[0], p.path)


def _walk(value: object, path: tuple[str | int, ...]) -> object:
    if value is _INVALID_JSON:
        return value
    for step in path:
        # Separate branches so that mypy narrows each container to what it can be indexed by.
        if isinstance(step, int) and isinstance(value, list) and step < len(value):  # noqa: SIM114
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return _MISSING
    return value


def _matches(value: object, p: _Parsed) -> bool:
    text = _text(value)
    if p.glob is not None:
        return p.glob.fullmatch(text) is not None
    number = _number(value) if isinstance(value, int | float) else None
    # A numeric left side compares by value too, so 200, 200.0 and 2e2 are all equal.
    return any(
        text == c or (number is not None and _NUMBER.fullmatch(c) and number == float(c))
        for c in p.choices
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            return float(value)
    except OverflowError:  # a JSON integer too large for a float
        return None
    return None


def _text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _clip(text: str) -> str:
    text = text.translate(_ESCAPES)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
