"""The field types config models share: the strict base model, ids, paths, selectors, globs.

Below `models` and the journey kinds (`config.kinds`), which both build on them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """The base of every config model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


CheckId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="a lower_snake_case id (a letter, then a-z, 0-9, _; at most 64 characters), "
        "e.g. api_health",
    ),
]
Path = Annotated[str, Field(description="a path on the target (e.g. /health) or an absolute URL")]
Selector = Annotated[str, Field(min_length=1, description="a CSS selector, e.g. #prompt-input")]
UrlGlob = Annotated[str, Field(min_length=1, description="a URL glob, e.g. **/dashboard")]
Seconds = Annotated[float, Field(gt=0, le=900, description="seconds, a number > 0")]


def size(count: int) -> str:
    """`1048576` -> '1 MiB', `1536` -> '1.5 KiB'."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor:
            return f"{count / factor:.4g} {unit}"
    return f"{count} bytes"
