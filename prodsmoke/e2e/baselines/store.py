"""Where a project's baselines live, how they are named, and how `smoke baseline update` records
them (SPEC §18).

    baselines/<env>/<check>/<name>.aria.yml                    an ARIA snapshot: any browser
    baselines/<env>/<check>/<name>-chromium-156-linux.png      a screenshot: one browser build
                                                               (major version) and platform

`baselines/` sits beside `config/`, like `e2e/`, and is reviewed in pull requests like code.
Screenshots are named like Playwright Test's snapshots (`<name>-<browser>-<platform>.png`) with
the browser's major version added, because a new Chromium renders text and shadows a little
differently: after an upgrade the comparison says "no baseline for this build" (a warning) rather
than failing on pixels nobody changed. A patch release of one major keeps its baselines.

A scheduled run only reads them. In `update` mode (`smoke baseline update`, never implicitly) an
attempt's new or changed baselines are staged in the run's artifact folder, and `commit` moves the
staged files of each check whose verdict attempt passed into `baselines/`: a baseline is never
recorded from an attempt that failed.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke.e2e.artifacts import run_folder
from prodsmoke.options import BaselineMode
from prodsmoke.results import Status

if TYPE_CHECKING:
    from collections.abc import Iterable

    from prodsmoke.config.models import Settings
    from prodsmoke.options import RunOptions
    from prodsmoke.results import CheckResult

FOLDER = "baselines"
ARIA_SUFFIX = ".aria.yml"
STAGED = ".baselines"  # in the run's artifact folder: what an update run recorded, per attempt
UNCHANGED = ".unchanged"  # a staged marker: the baseline still holds, nothing to write
_PLATFORMS = {"darwin": "darwin", "win32": "win32", "cygwin": "win32"}


def platform() -> str:
    """The platform part of a screenshot's name, as Playwright Test spells it (linux, darwin…)."""
    return _PLATFORMS.get(sys.platform, "linux" if sys.platform.startswith("linux") else "other")


def build_of(browser_name: str, version: str) -> str:
    """A browser build as a name part: 'chromium-156-linux' for Chromium 156.0.8078.129."""
    major = version.split(".", 1)[0] or "0"
    return f"{browser_name}-{major}-{platform()}"


@dataclass(frozen=True, slots=True)
class BaselineStore:
    """One run's view of the project's baselines for its environment."""

    root: Path  # baselines/<env>/ of the project
    env: str
    mode: BaselineMode = BaselineMode.COMPARE
    staging: Path | None = None  # update mode: the run's staging folder
    hint: str = "smoke baseline update --env {env} --check {check}"

    @classmethod
    def of(cls, settings: Settings, options: RunOptions) -> BaselineStore:
        """The store of the project `settings` were loaded from (beside its config/)."""
        env_file = Path(settings.file)
        project = env_file.parent.parent.parent if env_file.suffix == ".yaml" else Path()
        return cls(
            root=project.absolute() / FOLDER / settings.name,
            env=settings.name,
            mode=options.baselines,
            staging=run_folder(options.output_dir, options.run_id) / STAGED,
            hint=update_hint(options.repro, settings.name),
        )

    @property
    def updating(self) -> bool:
        """True in a `smoke baseline update` run."""
        return self.mode is BaselineMode.UPDATE

    def folder(self, check: str) -> Path:
        """`baselines/<env>/<check>/`."""
        return self.root / check

    def aria_file(self, check: str, name: str) -> Path:
        """The ARIA baseline `name` of `check`."""
        return self.folder(check) / f"{name}{ARIA_SUFFIX}"

    def screenshot_file(self, check: str, name: str, build: str) -> Path:
        """The screenshot baseline `name` of `check` for one browser build."""
        return self.folder(check) / f"{name}-{build}.png"

    def other_builds(self, check: str, name: str, build: str) -> list[str]:
        """The builds that have a screenshot baseline `name` of `check`, but not `build`."""
        prefix = f"{name}-"
        found = sorted(
            p.stem.removeprefix(prefix)
            for p in self.folder(check).glob(f"{name}-*.png")
            if p.stem.removeprefix(prefix).count("-") == build.count("-")
        )
        return [b for b in found if b != build]

    def shown(self, path: Path) -> str:
        """`path` as people read it: from the project folder, e.g. baselines/demo/x/y.png."""
        try:
            return path.relative_to(self.root.parent.parent).as_posix()
        except ValueError:
            return str(path)

    def record_hint(self, check: str) -> str:
        """The command that records `check`'s baselines."""
        return self.hint.format(env=self.env, check=check)

    def missing(self, check: str, warnings: list[str], what: str) -> None:
        """Warn that a baseline is missing (`what` says which), with how to record it: said once
        per check when several are missing."""
        hint = self.record_hint(check)
        said = any(hint in warning for warning in warnings)
        warnings.append(what if said else f"{what}; record it with: {hint}")

    def stage(self, check: str, attempt: int, target: Path, data: bytes | None) -> None:
        """Update mode: keep `data` as the new content of baseline `target`, or (None) note that
        the baseline still holds; `commit` writes it once the attempt's verdict is known."""
        if self.staging is None:
            raise RuntimeError("this run records no baselines (no staging folder)")
        folder = self.staging / check / str(attempt)
        folder.mkdir(parents=True, exist_ok=True)
        if data is None:
            (folder / (target.name + UNCHANGED)).write_bytes(b"")
        else:
            (folder / target.name).write_bytes(data)


@dataclass
class Changes:
    """What `commit` did, file by file."""

    new: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    not_recorded: list[tuple[str, str]] = field(default_factory=list)  # (check, why)


def commit(store: BaselineStore, results: Iterable[CheckResult]) -> Changes:
    """Move the staged baselines of every check whose verdict attempt passed (or warned) into
    `baselines/`; a failed or skipped check records nothing. The staging folder is removed."""
    changes = Changes()
    staging = store.staging
    if staging is None:
        return changes
    try:
        for result in results:
            staged = staging / result.id
            if not staged.is_dir():
                continue
            if result.status not in (Status.PASS, Status.WARN):
                why = (result.error or str(result.status)).splitlines()[0][:200]
                changes.not_recorded.append((result.id, why))
                continue
            verdict = staged / str(max(1, result.attempts))
            for item in sorted(verdict.iterdir()) if verdict.is_dir() else ():
                if item.name.endswith(UNCHANGED):
                    target = store.folder(result.id) / item.name.removesuffix(UNCHANGED)
                    changes.unchanged.append(target)
                    continue
                target = store.folder(result.id) / item.name
                (changes.changed if target.is_file() else changes.new).append(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(item, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):  # the run's folder, when it kept nothing else
            staging.parent.rmdir()
    return changes


def update_hint(repro: str, env: str) -> str:
    """The `smoke baseline update` command for a check, in the form of the run's repro command
    ('smoke repro --env demo --config DIR {check}' → 'smoke baseline update --env demo --config
    DIR --check {check}'), so a hint names the same config folder the run used."""
    prefix = "smoke repro "
    if repro.startswith(prefix) and repro.endswith(" {check}"):
        flags = repro.removeprefix(prefix).removesuffix(" {check}").replace("{env}", env)
        return f"smoke baseline update {flags} --check {{check}}"
    return "smoke baseline update --env {env} --check {check}"
