"""`smoke init DIR --base-url URL`: a prodsmoke project for a team's own site (SPEC §15).

Writes the environment, monitoring, alert-rule and schedule files, a Python journey of the home
page, the GitHub workflow, the Lambda image and template, the Kubernetes CronJob and a README
(`prodsmoke.scaffold`). Nothing is sent to the site unless `--probe` asks for a look first, and
no file is overwritten unless `--force` says so (each one is then listed). A bad URL or name,
or files in the way, is one line and exit 2, before anything is sent or written.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings
    from prodsmoke.scaffold.project import Site

EXECUTABLE = ("deploy/lambda/deploy.sh",)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke init`."""
    init = sub.add_parser(
        "init", help="write a prodsmoke project for your own site: config, a journey, CI, deploy"
    )
    init.add_argument(
        "dir", type=Path, metavar="DIR", help="the project's folder (made if need be)"
    )
    init.add_argument(
        "--base-url", required=True, metavar="URL", help="the site, e.g. https://app.example.com"
    )
    init.add_argument(
        "--env", default="production", metavar="NAME", help="environment name (production)"
    )
    init.add_argument(
        "--probe",
        action="store_true",
        help="look at the site first (GET only, through the guard): its title, a landmark, "
        "a health endpoint",
    )
    init.add_argument(
        "--force", action="store_true", help="overwrite files that exist (each one is listed)"
    )
    init.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check the arguments and the folder, probe when asked, write the project, say what next."""
    from prodsmoke.scaffold.project import Site, env_name, site_origin

    site = Site(site_origin(args.base_url), env_name(args.env))
    root: Path = args.dir
    in_the_way = _in_the_way(root, _files(site))
    if in_the_way and not args.force:
        raise UsageError(
            f"{root}: {len(in_the_way)} of the files smoke init writes are there already "
            f"({', '.join(in_the_way)}); pass --force to overwrite them, or pick another folder"
        )
    if args.probe:
        from prodsmoke.scaffold.probe import probe

        report = probe(_guard_settings(site))
        print("\n".join(report.lines))
        site = dataclasses.replace(site, found=report.findings)
    files = _files(site)
    for path, text in files.items():
        _write(root / path, text, executable=path in EXECUTABLE)
    for path in in_the_way:
        print(f"overwrote {path}")
    print(f"wrote {len(files)} files in {root}:")
    print("\n".join(f"  {path}" for path in files))
    print("next (the README says more):")
    print(f"  cd {root}")
    print(f"  smoke check-config --env {site.env}")
    print(f"  smoke run --env {site.env}")
    return 0


def _files(site: Site) -> dict[str, str]:
    """Every file of the project, pinned to this prodsmoke and this Playwright."""
    from importlib.metadata import version

    from prodsmoke._version import __version__
    from prodsmoke.scaffold import project
    from prodsmoke.scaffold.deploy import Deploy, Release

    playwright = version("playwright")
    deploy = Deploy(
        environments=(site.env,),
        schedule=project.schedule(site)[1],
        prodsmoke=Release(__version__),
        playwright_version=playwright,
    )
    return project.files(site, version=__version__, playwright_version=playwright) | (
        deploy.files()
    )


def _in_the_way(root: Path, files: dict[str, str]) -> list[str]:
    """The project's files that exist under `root`; a folder that cannot hold them is an error."""
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: is a file; expected a folder (new, or one with other files)")
    found = []
    for path in files:
        target = root / path
        for parent in target.parents:
            if parent.exists() and not parent.is_dir():
                raise UsageError(f"{parent}: is a file; smoke init needs a folder there ({path})")
            if parent == root:
                break
        if target.exists():
            found.append(path)
    return found


def _guard_settings(site: Site) -> Settings:
    """The settings the probe's guard is built from: the environment file about to be
    written (its safety section, the same whatever the probe finds), without its journeys."""
    import yaml

    from prodsmoke.config.models import Settings
    from prodsmoke.scaffold import project

    text = project.files(site, version="-", playwright_version="-")[project.env_file(site)]
    doc = yaml.safe_load(text)
    doc.pop("journeys", None)
    return Settings.model_validate(doc)


def _write(path: Path, text: str, *, executable: bool) -> None:
    """Write one file (and its folders); a folder we may not write to is one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if executable:
            path.chmod(0o755)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot write it ({(exc.strerror or str(exc)).lower()}); pick a folder you "
            "can write to"
        ) from None
