"""Tests for the Gatus-style condition language: parsing, evaluation, warn derivation, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prodsmoke.config.conditions import (
    Condition,
    ConditionSyntaxError,
    Observation,
    Outcome,
    evaluate,
)
from prodsmoke.results import Status

BODY: dict[str, Any] = {
    "status": "healthy",
    "services": {"database": "healthy", "cache": "degraded"},
    "data": [{"id": 1, "name": "alice"}, {"id": 2, "name": "bob"}],
    "items": [1, 2, 3],
    "empty": [],
    "name": "alice",
    "count": 3,
    "ratio": 0.5,
    "float_count": 3.0,
    "code": "200",
    "ok": True,
    "gone": None,
    "nested": {"a": [10, [20, 30]]},
}
HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "RateLimit-Limit": "100",
    "RateLimit-Remaining": "10",
}


def observe(
    *,
    status: int = 200,
    rt: float = 50.0,
    headers: dict[str, str] | None = None,
    body: Any = BODY,
) -> Observation:
    text = body if isinstance(body, str) else json.dumps(body)
    return Observation(status, rt, HEADERS if headers is None else headers, text)


def check(text: str, obs: Observation | None = None, **kwargs: Any) -> Outcome:
    return evaluate(Condition.parse(text), obs or observe(), **kwargs)


# (condition, observation, verdict, detail)
EVALUATIONS = [
    # [STATUS] with every operator, any() and numeric normalisation
    ("[STATUS] == 200", observe(), "pass", "[STATUS] (200) == 200"),
    ("[STATUS] == 200", observe(status=503), "fail", "[STATUS] (503) == 200"),
    ("[STATUS] != 500", observe(), "pass", "[STATUS] (200) != 500"),
    ("[STATUS] != 200", observe(), "fail", "[STATUS] (200) != 200"),
    ("[STATUS] == any(200, 204)", observe(status=204), "pass", "[STATUS] (204) == any(200, 204)"),
    ("[STATUS] == any(200, 204)", observe(status=500), "fail", "[STATUS] (500) == any(200, 204)"),
    ("[STATUS] != any(500, 503)", observe(), "pass", "[STATUS] (200) != any(500, 503)"),
    ("[STATUS] != any(500, 503)", observe(status=503), "fail", "[STATUS] (503) != any(500, 503)"),
    ("[STATUS] < 300", observe(), "pass", "[STATUS] (200) < 300"),
    ("[STATUS] < 300", observe(status=404), "fail", "[STATUS] (404) < 300"),
    ("[STATUS] <= 200", observe(), "pass", "[STATUS] (200) <= 200"),
    ("[STATUS] > 200", observe(), "fail", "[STATUS] (200) > 200"),
    ("[STATUS] >= 200", observe(), "pass", "[STATUS] (200) >= 200"),
    ("[STATUS] == 200.0", observe(), "pass", "[STATUS] (200) == 200.0"),
    ("[STATUS] == 2e2", observe(), "pass", "[STATUS] (200) == 2e2"),
    ("[STATUS]==200", observe(), "pass", "[STATUS] (200) == 200"),
    ("  [STATUS]   >=   100  ", observe(), "pass", "[STATUS] (200) >= 100"),
    # [RESPONSE_TIME] that is not a timing condition never warns
    ("[RESPONSE_TIME] > 10", observe(rt=95.4), "pass", "[RESPONSE_TIME] (95) > 10"),
    ("[RESPONSE_TIME] == 50", observe(rt=50.0), "pass", "[RESPONSE_TIME] (50) == 50"),
    # [BODY] paths, literals, JSON scalars
    ("[BODY].status == healthy", observe(), "pass", "[BODY].status (healthy) == healthy"),
    (
        "[BODY].status == healthy",
        observe(body={"status": "unhealthy"}),
        "fail",
        "[BODY].status (unhealthy) == healthy",
    ),
    (
        "[BODY].services.database == healthy",
        observe(),
        "pass",
        "[BODY].services.database (healthy) == healthy",
    ),
    (
        "[BODY].services.cache != healthy",
        observe(),
        "pass",
        "[BODY].services.cache (degraded) != healthy",
    ),
    ("[BODY].data[0].id == 1", observe(), "pass", "[BODY].data[0].id (1) == 1"),
    ("[BODY].data[1].name == bob", observe(), "pass", "[BODY].data[1].name (bob) == bob"),
    ("[BODY].nested.a[1][0] == 20", observe(), "pass", "[BODY].nested.a[1][0] (20) == 20"),
    ("[BODY][0].name == x", observe(body=[{"name": "x"}]), "pass", "[BODY][0].name (x) == x"),
    ("[BODY][1] == 7", observe(body=[5, 7]), "pass", "[BODY][1] (7) == 7"),
    ("[BODY].name == any(alice, bob)", observe(), "pass", "[BODY].name (alice) == any(alice, bob)"),
    (
        "[BODY].name == any(carol, dave)",
        observe(),
        "fail",
        "[BODY].name (alice) == any(carol, dave)",
    ),
    ("[BODY].count >= 3", observe(), "pass", "[BODY].count (3) >= 3"),
    ("[BODY].count > 3", observe(), "fail", "[BODY].count (3) > 3"),
    ("[BODY].count == 3.0", observe(), "pass", "[BODY].count (3) == 3.0"),
    ("[BODY].float_count == 3", observe(), "pass", "[BODY].float_count (3) == 3"),
    ("[BODY].ratio == 0.50", observe(), "pass", "[BODY].ratio (0.5) == 0.50"),
    ("[BODY].ratio < 1", observe(), "pass", "[BODY].ratio (0.5) < 1"),
    ("[BODY].code == 200", observe(), "pass", "[BODY].code (200) == 200"),
    # a JSON string is text: "200" is not "200.0"
    ("[BODY].code == 200.0", observe(), "fail", "[BODY].code (200) == 200.0"),
    ("[BODY].ok == true", observe(), "pass", "[BODY].ok (true) == true"),
    ("[BODY].ok == 1", observe(), "fail", "[BODY].ok (true) == 1"),
    ("[BODY].gone == null", observe(), "pass", "[BODY].gone (null) == null"),
    ("[BODY].items == [1,2,3]", observe(), "pass", "[BODY].items ([1,2,3]) == [1,2,3]"),
    (
        "[BODY].services.cache == Degraded",
        observe(),
        "fail",
        "[BODY].services.cache (degraded) == Degraded",
    ),
    # pat() globs: * and ? only, case-sensitive, whole value
    (
        "[BODY] == pat(*healthy*)",
        observe(),
        "pass",
        f"[BODY] ({json.dumps(BODY)[:59]}…) == pat(*healthy*)",
    ),
    ("[BODY] == pat(ok?)", observe(body="ok!"), "pass", "[BODY] (ok!) == pat(ok?)"),
    ("[BODY] == pat(ok?)", observe(body="ok"), "fail", "[BODY] (ok) == pat(ok?)"),
    (
        "[BODY] != pat(*error*)",
        observe(body="all good"),
        "pass",
        "[BODY] (all good) != pat(*error*)",
    ),
    (
        "[BODY] != pat(*error*)",
        observe(body="an error"),
        "fail",
        "[BODY] (an error) != pat(*error*)",
    ),
    ("[BODY].items == pat([1,*])", observe(), "pass", "[BODY].items ([1,2,3]) == pat([1,*])"),
    ("[BODY] == pat(*OK*)", observe(body="ok"), "fail", "[BODY] (ok) == pat(*OK*)"),
    ("[BODY].name == pat(al*)", observe(), "pass", "[BODY].name (alice) == pat(al*)"),
    ("[BODY] == pat(a*c)", observe(body="a\nb\nc"), "pass", "[BODY] (a\\nb\\nc) == pat(a*c)"),
    # len()
    ("len([BODY].items) > 0", observe(), "pass", "len([BODY].items) (3) > 0"),
    ("len([BODY].empty) > 0", observe(), "fail", "len([BODY].empty) (0) > 0"),
    ("len([BODY].name) == 5", observe(), "pass", "len([BODY].name) (5) == 5"),
    ("len([BODY].services) == 2", observe(), "pass", "len([BODY].services) (2) == 2"),
    ("len([BODY]) == 4", observe(body="abcd"), "pass", "len([BODY]) (4) == 4"),
    (
        "len([HEADER].ratelimit-limit) == 3",
        observe(),
        "pass",
        "len([HEADER].ratelimit-limit) (3) == 3",
    ),
    (
        "len([BODY].count) > 0",
        observe(),
        "fail",
        "len([BODY].count) (not a list, object or string) > 0",
    ),
    ("len([BODY].absent) > 0", observe(), "fail", "len([BODY].absent) (missing) > 0"),
    # has()
    ("has([BODY].errors) == false", observe(), "pass", "has([BODY].errors) (false) == false"),
    (
        "has([BODY].errors) == false",
        observe(body={"errors": []}),
        "fail",
        "has([BODY].errors) (true) == false",
    ),
    ("has([BODY].gone) == true", observe(), "pass", "has([BODY].gone) (true) == true"),
    ("has([BODY].data[5]) != true", observe(), "pass", "has([BODY].data[5]) (false) != true"),
    (
        "has([HEADER].ratelimit-limit) == true",
        observe(),
        "pass",
        "has([HEADER].ratelimit-limit) (true) == true",
    ),
    ("has([HEADER].x-absent) == true", observe(), "fail", "has([HEADER].x-absent) (false) == true"),
    # [HEADER]: names are case-insensitive on both sides
    (
        "[HEADER].content-type == pat(application/json*)",
        observe(),
        "pass",
        "[HEADER].content-type (application/json; charset=utf-8) == pat(application/json*)",
    ),
    (
        "[HEADER].CONTENT-TYPE == pat(*utf-8)",
        observe(),
        "pass",
        "[HEADER].CONTENT-TYPE (application/json; charset=utf-8) == pat(*utf-8)",
    ),
    (
        "[HEADER].ratelimit-limit == 100",
        observe(headers={"ratelimit-limit": "100"}),
        "pass",
        "[HEADER].ratelimit-limit (100) == 100",
    ),
    (
        "[HEADER].ratelimit-remaining > 5",
        observe(),
        "pass",
        "[HEADER].ratelimit-remaining (10) > 5",
    ),
    (
        "[HEADER].content-type > 5",
        observe(),
        "fail",
        "[HEADER].content-type (application/json; charset=utf-8) > 5, not a number",
    ),
    ("[HEADER].x-missing == 1", observe(), "fail", "[HEADER].x-missing (missing) == 1"),
    # missing paths fail every operator, != included
    ("[BODY].x == 1", observe(), "fail", "[BODY].x (missing) == 1"),
    ("[BODY].x != 1", observe(), "fail", "[BODY].x (missing) != 1"),
    ("[BODY].x < 1", observe(), "fail", "[BODY].x (missing) < 1"),
    ("[BODY].data[2].id == 3", observe(), "fail", "[BODY].data[2].id (missing) == 3"),
    ("[BODY].name.first == a", observe(), "fail", "[BODY].name.first (missing) == a"),
    ("[BODY].services[0] == a", observe(), "fail", "[BODY].services[0] (missing) == a"),
    ("[BODY].data.id == 1", observe(), "fail", "[BODY].data.id (missing) == 1"),
    # bodies that are not JSON fail cleanly
    (
        "[BODY].status == healthy",
        observe(body="<html>502</html>"),
        "fail",
        "[BODY].status (invalid JSON) == healthy",
    ),
    (
        "[BODY].status == healthy",
        observe(body=""),
        "fail",
        "[BODY].status (invalid JSON) == healthy",
    ),
    (
        "has([BODY].errors) == false",
        observe(body="oops"),
        "fail",
        "has([BODY].errors) (invalid JSON) == false",
    ),
    ("len([BODY].items) > 0", observe(body="oops"), "fail", "len([BODY].items) (invalid JSON) > 0"),
    (
        "[BODY] == pat(<html>*)",
        observe(body="<html>502</html>"),
        "pass",
        "[BODY] (<html>502</html>) == pat(<html>*)",
    ),
    # ordering operators need a number on the left
    ("[BODY].name > 3", observe(), "fail", "[BODY].name (alice) > 3, not a number"),
    ("[BODY].ok >= 1", observe(), "fail", "[BODY].ok (true) >= 1, not a number"),
    ("[BODY].gone < 1", observe(), "fail", "[BODY].gone (null) < 1, not a number"),
    ("[BODY].items > 1", observe(), "fail", "[BODY].items ([1,2,3]) > 1, not a number"),
    ("[BODY] > 1", observe(body=" 42 "), "pass", "[BODY] ( 42 ) > 1"),
]


@pytest.mark.parametrize(("text", "obs", "verdict", "detail"), EVALUATIONS)
def test_evaluate(text: str, obs: Observation, verdict: str, detail: str) -> None:
    assert check(text, obs) == Outcome(text, Status(verdict), detail, check(text, obs).value)
    assert "\n" not in detail


@pytest.mark.parametrize(
    ("text", "obs", "value"),
    [
        ("[STATUS] == 200", observe(), 200.0),
        ("[RESPONSE_TIME] < 100", observe(rt=91.4), 91.4),
        ("[BODY].ratio < 1", observe(), 0.5),
        ("len([BODY].items) > 0", observe(), 3.0),
        ("[HEADER].ratelimit-remaining > 5", observe(), 10.0),
        ("[BODY].status == healthy", observe(), None),
        ("has([BODY].errors) == false", observe(), None),
        ("[BODY].ok == true", observe(), None),
        ("[BODY].x == 1", observe(), None),
        ("[BODY].name > 3", observe(), None),
        ("[STATUS] == 200", observe(status=500), 500.0),
    ],
)
def test_value_is_the_numeric_left_side(text: str, obs: Observation, value: float | None) -> None:
    assert check(text, obs).value == value


# (condition, response time, warn_ratio, verdict, detail)
TIMINGS = [
    ("[RESPONSE_TIME] < 100", 10.0, 0.8, "pass", "[RESPONSE_TIME] (10) < 100"),
    ("[RESPONSE_TIME] < 100", 79.9, 0.8, "pass", "[RESPONSE_TIME] (80) < 100"),
    ("[RESPONSE_TIME] < 100", 80.0, 0.8, "pass", "[RESPONSE_TIME] (80) < 100"),
    (
        "[RESPONSE_TIME] < 100",
        80.01,
        0.8,
        "warn",
        "[RESPONSE_TIME] (80) < 100, over warn threshold 80",
    ),
    (
        "[RESPONSE_TIME] < 100",
        91.0,
        0.8,
        "warn",
        "[RESPONSE_TIME] (91) < 100, over warn threshold 80",
    ),
    (
        "[RESPONSE_TIME] < 100",
        99.4,
        0.8,
        "warn",
        "[RESPONSE_TIME] (99) < 100, over warn threshold 80",
    ),
    ("[RESPONSE_TIME] < 100", 100.0, 0.8, "fail", "[RESPONSE_TIME] (100) < 100"),
    ("[RESPONSE_TIME] < 200", 245.0, 0.8, "fail", "[RESPONSE_TIME] (245) < 200"),
    (
        "[RESPONSE_TIME] <= 100",
        100.0,
        0.8,
        "warn",
        "[RESPONSE_TIME] (100) <= 100, over warn threshold 80",
    ),
    ("[RESPONSE_TIME] <= 100", 100.1, 0.8, "fail", "[RESPONSE_TIME] (100) <= 100"),
    ("[RESPONSE_TIME] <= 100", 80.0, 0.8, "pass", "[RESPONSE_TIME] (80) <= 100"),
    (
        "[RESPONSE_TIME] < 100",
        60.0,
        0.5,
        "warn",
        "[RESPONSE_TIME] (60) < 100, over warn threshold 50",
    ),
    ("[RESPONSE_TIME] < 100", 99.0, 1.0, "pass", "[RESPONSE_TIME] (99) < 100"),
    ("[RESPONSE_TIME] < 3", 2.5, 0.8, "warn", "[RESPONSE_TIME] (3) < 3, over warn threshold 2.4"),
    (
        "[RESPONSE_TIME] < 5000",
        4000.5,
        0.8,
        "warn",
        "[RESPONSE_TIME] (4001) < 5000, over warn threshold 4000",
    ),
    ("[RESPONSE_TIME] > 100", 150.0, 0.8, "pass", "[RESPONSE_TIME] (150) > 100"),
    ("[RESPONSE_TIME] >= 100", 100.0, 0.8, "pass", "[RESPONSE_TIME] (100) >= 100"),
    ("[RESPONSE_TIME] != 100", 99.0, 0.8, "pass", "[RESPONSE_TIME] (99) != 100"),
]


@pytest.mark.parametrize(("text", "rt", "ratio", "verdict", "detail"), TIMINGS)
def test_timing_warn_threshold(
    text: str, rt: float, ratio: float, verdict: str, detail: str
) -> None:
    outcome = check(text, observe(rt=rt), warn_ratio=ratio)
    assert (outcome.verdict, outcome.detail, outcome.value) == (verdict, detail, rt)


def test_only_timing_conditions_warn() -> None:
    assert check("[STATUS] < 300", observe(status=299)).verdict == "pass"
    assert check("[BODY].count < 4").verdict == "pass"


@pytest.mark.parametrize(
    ("text", "placeholder", "is_timing"),
    [
        ("[STATUS] == 200", "STATUS", False),
        ("[RESPONSE_TIME] < 100", "RESPONSE_TIME", True),
        ("[RESPONSE_TIME] <= 100", "RESPONSE_TIME", True),
        ("[RESPONSE_TIME] > 100", "RESPONSE_TIME", False),
        ("[RESPONSE_TIME] == 100", "RESPONSE_TIME", False),
        ("[BODY].status == healthy", "BODY", False),
        ("len([BODY].items) < 10", "BODY", False),
        ("has([HEADER].ratelimit-limit) == true", "HEADER", False),
        ("[HEADER].content-type == pat(application/json*)", "HEADER", False),
    ],
)
def test_placeholder_and_is_timing(text: str, placeholder: str, is_timing: bool) -> None:
    condition = Condition.parse(text)
    assert (condition.placeholder, condition.is_timing) == (placeholder, is_timing)


def test_condition_is_a_value() -> None:
    assert Condition.parse("[STATUS] == 200") == Condition("[STATUS] == 200")
    assert len({Condition.parse("[STATUS] == 200"), Condition("[STATUS] == 200")}) == 1
    assert repr(Condition.parse("[STATUS] == 200")) == "Condition(source='[STATUS] == 200')"
    assert check("  [STATUS] == 200 ").condition == "  [STATUS] == 200 "


def test_long_values_are_truncated() -> None:
    body = "x" * 500
    outcome = check("[BODY] == pat(*healthy*)", observe(body=body))
    assert outcome.detail == f"[BODY] ({'x' * 59}…) == pat(*healthy*)"
    assert body not in outcome.detail


def test_long_right_side_is_truncated() -> None:
    literal = "y" * 100
    outcome = check(f"[BODY].name == {literal}")
    assert outcome.detail == f"[BODY].name (alice) == {'y' * 59}…"
    assert outcome.condition == f"[BODY].name == {literal}"


def test_value_of_exactly_sixty_characters_is_kept() -> None:
    outcome = check("[BODY] == x", observe(body="z" * 60))
    assert outcome.detail == f"[BODY] ({'z' * 60}) == x"


def test_long_json_values_are_truncated() -> None:
    outcome = check("[BODY].big == x", observe(body={"big": list(range(100))}))
    shown = outcome.detail.removeprefix("[BODY].big (").removesuffix(") == x")
    assert len(shown) == 60
    assert shown.endswith("…")


def test_body_is_parsed_at_most_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_loads = json.loads

    def counting_loads(text: str) -> Any:
        calls.append(text)
        return real_loads(text)

    monkeypatch.setattr(json, "loads", counting_loads)
    obs = observe()
    for text in ("[BODY].status == healthy", "len([BODY].items) > 0", "has([BODY].x) == false"):
        check(text, obs)
    assert len(calls) == 1
    bad = observe(body="not json")
    check("[BODY].a == 1", bad)
    check("[BODY].b == 1", bad)
    assert len(calls) == 2


def test_bare_body_and_headers_never_parse_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_loads(text: str) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr(json, "loads", failing_loads)
    obs = observe(body="plain text")
    assert check("[BODY] == pat(plain*)", obs).verdict == "pass"
    assert check("len([BODY]) == 10", obs).verdict == "pass"
    assert check("[HEADER].ratelimit-limit == 100", obs).verdict == "pass"


FORM = "expected '<left> <op> <right>' with op one of == != < <= > >=, e.g. '[STATUS] == 200'"
REFS = "expected [STATUS], [RESPONSE_TIME], [BODY], [HEADER].<name>"
OPS = "expected one of == != < <= > >=, e.g. '[STATUS] == 200'"
FUNCS = (
    "expected len(<placeholder>) or has(<placeholder>) of [BODY] or [HEADER].<name>, "
    "e.g. 'len([BODY].items) > 0'"
)
HEADER = "expected [HEADER].<name>, e.g. '[HEADER].content-type == pat(application/json*)'"
PATH = "expected .key or [index], e.g. '[BODY].data[0].id == 1'"
NUMBER = "expected a number, e.g. '[RESPONSE_TIME] < 500'"
RIGHT = "expected any(<value>, ...) or pat(<glob>), e.g. '[STATUS] == any(200, 204)'"
EQ = "expected == or !=, e.g. '[STATUS] == any(200, 204)'"
VALUES = "expected values separated by commas, e.g. '[STATUS] == any(200, 204)'"
HAS = (
    "has() is true or false; expected has(<placeholder>) == true|false, "
    "e.g. 'has([BODY].errors) == false'"
)

# (condition, the whole one-line message)
SYNTAX_ERRORS = [
    ("", f"empty condition; {FORM}"),
    ("   ", f"empty condition; {FORM}"),
    ("[STATUSS] == 200", f"unknown placeholder [STATUSS]; {REFS}"),
    ("[status] == 200", f"unknown placeholder [status]; {REFS}"),
    ("[] == 200", f"unknown placeholder []; {REFS}"),
    ("STATUS == 200", f"the left side must be a placeholder; {REFS}"),
    ("200 == [STATUS]", f"the left side must be a placeholder; {REFS}"),
    ("[STATUS\n] == 200", f"the left side must be a placeholder; {REFS}"),
    ("[STATUS] 200", f"missing operator; {FORM}"),
    ("[STATUS]", f"missing operator; {FORM}"),
    ("[STATUS] = 200", f"unknown operator '='; {OPS}"),
    ("[STATUS] =~ 200", f"unknown operator '=~'; {OPS}"),
    ("[STATUS] === 200", f"unknown operator '==='; {OPS}"),
    ("[STATUS] ==", f"missing value after '=='; {FORM}"),
    ("[STATUS] <   ", f"missing value after '<'; {FORM}"),
    ("foo([BODY]) == 1", f"unknown function foo() on the left; {FUNCS}"),
    ("len([STATUS]) == 3", f"len() cannot take [STATUS]; {FUNCS}"),
    ("has([RESPONSE_TIME]) == true", f"has() cannot take [RESPONSE_TIME]; {FUNCS}"),
    ("len([BODY].items > 0", f"len( is not closed; {FUNCS}"),
    ("[HEADER] == x", f"[HEADER] takes one header name; {HEADER}"),
    ("[HEADER].a.b == x", f"[HEADER] takes one header name; {HEADER}"),
    ("[HEADER][0] == x", f"[HEADER] takes one header name; {HEADER}"),
    (
        "[STATUS].code == 200",
        "[STATUS] takes no path; expected [STATUS] alone, e.g. '[STATUS] == 200'",
    ),
    (
        "[RESPONSE_TIME][0] < 5",
        "[RESPONSE_TIME] takes no path; expected [RESPONSE_TIME] alone, "
        "e.g. '[RESPONSE_TIME] < 500'",
    ),
    ("[BODY].data[x] == 1", f"bad path segment '[x]'; {PATH}"),
    ("[BODY].data[-1] == 1", f"bad path segment '[-1]'; {PATH}"),
    ("[BODY]. == 1", f"bad path segment '.'; {PATH}"),
    ("[BODY].a..b == 1", f"bad path segment '..b'; {PATH}"),
    ("[RESPONSE_TIME] < fast", f"'<' compares numbers but the right side is 'fast'; {NUMBER}"),
    ("[STATUS] >= 2xx", f"'>=' compares numbers but the right side is '2xx'; {NUMBER}"),
    ("[STATUS] < any(200, 300)", f"any() cannot be used with '<'; {EQ}"),
    ("[BODY] > pat(*x*)", f"pat() cannot be used with '>'; {EQ}"),
    ("[STATUS] == any()", f"any() has an empty value; {VALUES}"),
    ("[STATUS] == any(200,,204)", f"any() has an empty value; {VALUES}"),
    ("[STATUS] == any(200, 204", f"any( is not closed; {RIGHT}"),
    ("[BODY] == pat(*x*", f"pat( is not closed; {RIGHT}"),
    ("[BODY] == glob(*x*)", f"unknown function glob() on the right; {RIGHT}"),
    ("[STATUS] == len(200)", f"unknown function len() on the right; {RIGHT}"),
    ("has([BODY].x) == yes", HAS),
    ("has([BODY].x) > 0", HAS),
    ("has([BODY].x) == any(true, false)", HAS),
]


@pytest.mark.parametrize(("text", "message"), SYNTAX_ERRORS)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ConditionSyntaxError) as info:
        Condition.parse(text)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_syntax_error_is_a_value_error_and_raised_by_the_constructor() -> None:
    assert issubclass(ConditionSyntaxError, ValueError)
    with pytest.raises(ConditionSyntaxError, match="unknown placeholder"):
        Condition("[NOPE] == 1")


def test_syntax_error_clips_long_input() -> None:
    with pytest.raises(ConditionSyntaxError) as info:
        Condition.parse(f"[{'A' * 200}] == 1")
    assert str(info.value) == f"unknown placeholder [{'A' * 59}…]; {REFS}"


@pytest.mark.parametrize(
    "text",
    [
        "[STATUS] == 200",
        "[STATUS] == any(200, 204)",
        "[STATUS] < 300",
        "[RESPONSE_TIME] < 100",
        "[BODY].status == healthy",
        "[BODY].services.database == healthy",
        "[BODY].data[0].id == 1",
        "[BODY][0].name == x",
        "[BODY] == pat(*healthy*)",
        "[BODY].name == any(alice, bob)",
        "len([BODY].items) > 0",
        "len([BODY].name) == 5",
        "has([BODY].errors) == false",
        "has([HEADER].ratelimit-limit) == true",
        "[HEADER].content-type == pat(application/json*)",
        "[BODY].count >= 3",
        "[BODY].msg == a == b",
        "[BODY].html == <b>",
    ],
)
def test_documented_examples_parse(text: str) -> None:
    assert Condition.parse(text).source == text
