"""The journey kinds: one static table, `KINDS`. A kind is its config model (a `JourneySpec`
subclass with a `kind` literal, in `config/kinds/<kind>.py`) and the coroutine that runs it,
`run(j, spec)` in `prodsmoke/e2e/journeys/<kind>.py`.

Loading a configuration reads this table and nothing else: which kinds exist, what each accepts,
and which kind an entry is. The runs are named here, not imported: they drive a browser, and
config sits below the runtime (ARCHITECTURE.md), so `smoke alerts` or `check-config` never
loads Playwright to read `journeys:`. `prodsmoke.e2e.journeys` imports each run from its name,
once, when the engine is imported (and `tests/config/test_kinds.py` holds every row to a coroutine
taking its model).

Which kind an entry is, when it does not say (`kind:`): an entry with `steps:` is a YAML step
journey; an id a kind claims (`homepage_load` is a `page_load`) is that kind; anything else is
the settings of a Python journey `test_<id>` found in `journey_paths`.

To add a kind (`page_load` is a complete one to copy), without touching `config/models.py`:

    # config/kinds/pricing_table.py
    class PricingTable(JourneySpec):
        kind: Literal["pricing_table"] = "pricing_table"
        url: str = "/pricing"

    # e2e/journeys/pricing_table.py
    async def run(j: JourneyRun, spec: PricingTable) -> None: ...

    # here
    Kind(PricingTable, run="prodsmoke.e2e.journeys.pricing_table"),
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic_core import core_schema

from prodsmoke.config.kinds.login import LoginJourney
from prodsmoke.config.kinds.page_load import PageLoad
from prodsmoke.config.kinds.python import PythonJourney
from prodsmoke.config.kinds.steps import ScriptedJourney
from prodsmoke.config.kinds.text_submit import TextSubmit

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler

    from prodsmoke.config.journeys import JourneySpec

STEPS_KIND = "steps"
PYTHON_KIND = "python"


@dataclass(frozen=True, slots=True)
class Kind:
    """One journey kind: its config model, and the module whose `run(j, spec)` runs it."""

    spec: type[JourneySpec]
    run: str

    @property
    def name(self) -> str:
        """What `kind:` says, e.g. page_load."""
        return str(self.spec.model_fields["kind"].default)


# In the order configuration errors list them ("expected one of: text_submit, login, …").
KINDS: tuple[Kind, ...] = (
    Kind(TextSubmit, run="prodsmoke.e2e.journeys.text_submit"),
    Kind(LoginJourney, run="prodsmoke.e2e.journeys.login"),
    Kind(PageLoad, run="prodsmoke.e2e.journeys.page_load"),
    Kind(PythonJourney, run="prodsmoke.e2e.journeys.python"),
    Kind(ScriptedJourney, run="prodsmoke.e2e.journeys.steps"),
)
SPECS: Mapping[str, type[JourneySpec]] = {kind.name: kind.spec for kind in KINDS}


def built_in_kinds() -> list[str]:
    """The kinds an entry names with `kind:` (not `python`, which is found, nor `steps`)."""
    return [k for k in SPECS if k not in (PYTHON_KIND, STEPS_KIND)]


def claimed_id_hint(journey_id: str) -> str:
    """ "did you mean 'login_flow'? " when `journey_id` is close to an id a kind claims, else ""."""
    claimed = [i for spec in SPECS.values() for i in spec.claims_ids]
    close = difflib.get_close_matches(journey_id, claimed, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def kind_for(journey_id: str, entry: Mapping[str, object]) -> str:
    """The kind of a `journeys:` entry that may not say which (see the module docstring)."""
    given = entry.get("kind")
    if isinstance(given, str):
        return given
    if STEPS_KIND in entry:
        return STEPS_KIND
    for name, spec in SPECS.items():
        if journey_id in spec.claims_ids:
            return name
    return PYTHON_KIND


def with_kinds(journeys: object) -> object:
    """`journeys:` as written, with each entry's `kind` filled in (before validation)."""
    if not isinstance(journeys, dict):
        return journeys
    return {
        key: {**entry, "kind": kind_for(str(key), entry)} if isinstance(entry, dict) else entry
        for key, entry in journeys.items()
    }


class AnyKind:
    """Pydantic schema of `journeys:`: a mapping of id → one of `KINDS`, chosen by `kind`."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        choices = {name: handler.generate_schema(spec) for name, spec in SPECS.items()}
        values = core_schema.tagged_union_schema(choices, discriminator="kind")
        return core_schema.dict_schema(keys_schema=core_schema.str_schema(), values_schema=values)
