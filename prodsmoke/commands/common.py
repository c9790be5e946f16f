"""Flags and helpers several commands share."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_CONFIG = Path("config")
DEFAULT_OUTPUT = Path("smoke-results")


def config_flag(parser: argparse.ArgumentParser) -> None:
    """`--config DIR` (default `config`)."""
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, metavar="DIR", help="config root"
    )


def output_flag(parser: argparse.ArgumentParser) -> None:
    """`--output DIR` (default `smoke-results`)."""
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR", help="results folder"
    )


def default_region(environ: Mapping[str, str]) -> str:
    """`$SMOKE_REGION`, the Lambda's `AWS_REGION`, `gha` inside GitHub Actions, else `local`."""
    if environ.get("SMOKE_REGION"):
        return environ["SMOKE_REGION"]
    if environ.get("AWS_LAMBDA_FUNCTION_NAME") and environ.get("AWS_REGION"):
        return environ["AWS_REGION"]
    return "gha" if environ.get("GITHUB_ACTIONS") == "true" else "local"


def config_suffix(config: Path) -> str:
    """` --config DIR` when DIR is not the default, for commands we print for people to run."""
    return "" if config == DEFAULT_CONFIG else f" --config {config}"
