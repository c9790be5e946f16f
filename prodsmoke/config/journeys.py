"""Journey specs: the base every journey kind's config model extends, and the registry of kinds.

`journeys:` in an environment file maps a journey id to the settings of one *kind*. A kind is a
`JourneySpec` subclass with a `kind` literal; defining the subclass registers it, so the
`Settings` model is built from whatever kinds exist and adding one never means editing the config
models. The built-in kinds (`page_load`, `enhancement`, `login`, `steps`, `python`) live beside
their implementations in `prodsmoke.e2e.journeys`, which every entry point imports before it
loads a configuration.

Which kind an entry is, when it does not say (`kind:`): an entry with `steps:` is a YAML step
journey; an id a kind claims (`homepage_load` is a `page_load`) is that kind; anything else is
the settings of a Python journey `test_<id>` found in `journey_paths`.

To add a kind (see `prodsmoke/e2e/journeys/page_load.py` for a complete one):

    class PricingTable(JourneySpec):
        kind: Literal["pricing_table"] = "pricing_table"
        url: str = "/pricing"

    @register(PricingTable)
    async def run(j: JourneyRun, spec: PricingTable) -> None: ...
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from prodsmoke.config.vitals import VitalLimits

STEPS_KIND = "steps"
PYTHON_KIND = "python"


class JourneySpec(BaseModel):
    """What every journey accepts, whatever its kind."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # Ids that mean this kind when an entry gives no `kind:` (the built-ins' historical ids).
    claims_ids: ClassVar[tuple[str, ...]] = ()
    # Journeys of a kind that times a page load go first; the others wait for their timing.
    leads: ClassVar[bool] = False
    # The attempt opens a page before the kind runs (a Python journey's fixtures open theirs).
    opens_page: ClassVar[bool] = True
    # A page action's own timeout ends this long before the attempt's: its error (which locator,
    # what it waited for) is the verdict, not "did not finish".
    action_lead_s: ClassVar[float] = 0.25

    kind: str
    enabled: bool = True
    timeout_s: float = Field(
        15.0, gt=0, le=900, description="seconds one attempt may take, a number > 0"
    )
    expected_requests: int = Field(
        15,
        ge=1,
        le=10_000,
        description="requests one attempt sends (reserved from the rate budget before it starts)",
    )
    # Web Vitals thresholds for every page the journey loads (SPEC §13, `config.vitals`).
    vitals: VitalLimits = Field(default_factory=VitalLimits)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Register every concrete kind (a subclass whose `kind` has a default)."""
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["kind"].default
        if isinstance(default, str) and default:
            _register(default, cls)

    def summary(self) -> str:
        """One line for `smoke check-config`: what the journey does and its limits."""
        return ""

    async def after_check(self) -> None:
        """Called once the check is over (every attempt done, or none run); nothing by default."""

    def step_names(self) -> frozenset[str] | None:
        """The names of the steps this journey reports, when known before a run (else None)."""
        return None

    def urls(self) -> Iterator[tuple[str, str]]:
        """(key, URL) for each place the journey navigates to that its config names, so
        `check-config` can hold them to the guard's hosts; a kind's `url` by default."""
        url = getattr(self, "url", None)
        if isinstance(url, str):
            yield "url", url

    def metric_names(self) -> frozenset[str]:
        """The metrics this journey reports (as `smoke_test.journey.<name>`)."""
        return frozenset({"console_errors"})

    def _attempt_fits(self, limit_ms: int | None) -> None:
        """Let one attempt last the journey's own limit plus a margin, unless set by hand."""
        if limit_ms is not None and "timeout_s" not in self.model_fields_set:
            object.__setattr__(self, "timeout_s", max(self.timeout_s, limit_ms / 1000 + 3))


_KINDS: dict[str, type[JourneySpec]] = {}
_ON_REGISTER: list[Callable[[], None]] = []


def _register(name: str, spec: type[JourneySpec]) -> None:
    known = _KINDS.get(name)
    if known is not None and known.__qualname__ != spec.__qualname__:
        raise TypeError(f"journey kind {name!r} is already registered by {known.__qualname__}")
    _KINDS[name] = spec
    for hook in _ON_REGISTER:
        hook()


def on_register(hook: Callable[[], None]) -> None:
    """Call `hook` whenever a kind is registered (the Settings model rebuilds its schema)."""
    _ON_REGISTER.append(hook)


def kinds() -> Mapping[str, type[JourneySpec]]:
    """Every registered kind, by name."""
    if not _KINDS:
        raise RuntimeError(
            "no journey kinds are registered: import prodsmoke.e2e.journeys before loading config"
        )
    return dict(_KINDS)


def built_in_kinds() -> list[str]:
    """The kinds an entry names with `kind:` (not `python`, which is found, nor `steps`)."""
    return [k for k in kinds() if k not in (PYTHON_KIND, STEPS_KIND)]


def claimed_id_hint(journey_id: str) -> str:
    """ "did you mean 'login_flow'? " when `journey_id` is close to an id a kind claims, else ""."""
    claimed = [i for spec in kinds().values() for i in spec.claims_ids]
    close = difflib.get_close_matches(journey_id, claimed, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def kind_for(journey_id: str, entry: Mapping[str, object]) -> str:
    """The kind of a `journeys:` entry that may not say which (see the module docstring)."""
    given = entry.get("kind")
    if isinstance(given, str):
        return given
    if STEPS_KIND in entry:
        return STEPS_KIND
    for name, spec in kinds().items():
        if journey_id in spec.claims_ids:
            return name
    return PYTHON_KIND


class RegisteredKinds:
    """Pydantic schema of `journeys:`: a mapping of id → one registered kind, chosen by `kind`."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        choices = {name: handler.generate_schema(spec) for name, spec in _KINDS.items()}
        values = (
            core_schema.tagged_union_schema(choices, discriminator="kind")
            if choices
            else handler.generate_schema(JourneySpec)
        )
        return core_schema.dict_schema(keys_schema=core_schema.str_schema(), values_schema=values)


def with_kinds(journeys: object) -> object:
    """`journeys:` as written, with each entry's `kind` filled in (before validation)."""
    if not isinstance(journeys, dict):
        return journeys
    return {
        key: {**entry, "kind": kind_for(str(key), entry)} if isinstance(entry, dict) else entry
        for key, entry in journeys.items()
    }
