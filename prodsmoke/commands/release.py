"""`smoke run`'s deploy flags (SPEC §17): which deploy a run checks, and where it is.

    --base-url URL      run against URL instead of the environment's base_url
    --allow-host HOST   let the guard send to HOST (repeatable; `*.example.com` as in
                        safety.allowed_hosts): what --base-url needs for a host the config
                        does not allow
    --commit SHA        the deployed commit (default: $GITHUB_SHA, for --trigger deploy)
    --version V         the deployed version (default: $SMOKE_VERSION)
    --trigger T         scheduled (default), adhoc (= --adhoc) or deploy

The guard never widens on its own: `--base-url` to a host that is neither the environment's,
nor in its `safety.allowed_hosts`, nor given with `--allow-host` is refused with one line, before
anything is sent. When the URL moves, the environment's own host stays allowed (GET only, as any
allowed host; writes go to the target alone) and the header line says where the run goes and why
that host is allowed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prodsmoke.errors import UsageError
from prodsmoke.options import Release

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping, Sequence

    from prodsmoke.config.models import Settings

TRIGGERS = ("scheduled", "adhoc", "deploy")
SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+/-]{0,63}$")
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$")


def release_flags(parser: argparse.ArgumentParser) -> None:
    """Add the deploy flags to `smoke run`."""
    group = parser.add_argument_group("deploys (SPEC §17)")
    group.add_argument(
        "--base-url", metavar="URL", help="run against URL instead of the environment's base_url"
    )
    group.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="let the guard send to HOST too (repeatable; *.example.com allowed): "
        "what --base-url needs for a host the config does not allow",
    )
    group.add_argument(
        "--commit", metavar="SHA", help="the deployed commit (default: $GITHUB_SHA for deploys)"
    )
    group.add_argument(
        "--version",
        dest="release_version",
        metavar="V",
        help="the deployed version (default: $SMOKE_VERSION)",
    )
    group.add_argument(
        "--trigger",
        choices=TRIGGERS,
        help="what started the run: scheduled (default), adhoc (as --adhoc), deploy",
    )


def release(args: argparse.Namespace, environ: Mapping[str, str]) -> Release:
    """The deploy the flags (and the environment) name; a `UsageError` for a bad value."""
    trigger = args.trigger or ("adhoc" if args.adhoc else "scheduled")
    if args.adhoc and trigger != "adhoc":
        raise UsageError(f"--adhoc and --trigger {trigger} disagree; give one of them")
    deploy = trigger == "deploy"
    commit = args.commit or (environ.get("GITHUB_SHA") if deploy else None) or None
    version = args.release_version or environ.get("SMOKE_VERSION") or None
    if commit is not None and not SHA.match(commit):
        source = "--commit" if args.commit else "$GITHUB_SHA"
        raise UsageError(
            f"{source}: got {commit!r}, expected a git commit SHA (7-64 hex digits), e.g. 3f2a9c1"
        )
    if version is not None and not VERSION.match(version):
        source = "--version" if args.release_version else "$SMOKE_VERSION"
        raise UsageError(
            f"{source}: got {version!r}, expected a version label (letters, digits and ._+/-, "
            "at most 64), e.g. 1.4.2 or 2026-12-05.1"
        )
    if deploy and commit is None and version is None:
        raise UsageError(
            "--trigger deploy: the run must know its deploy to be compared with the one before; "
            "give --version V or --commit SHA (or set $SMOKE_VERSION, or $GITHUB_SHA in Actions)"
        )
    return Release(commit=commit.lower() if commit else None, version=version, deploy=deploy)


def is_adhoc(args: argparse.Namespace, release: Release) -> bool:
    """SPEC §12: `--check` subsets and `--adhoc` are runs by hand; a deploy run stays a deploy
    run even when it checks a subset (the gate compares it check by check)."""
    if release.deploy:
        return False
    by_hand = getattr(args, "trigger", None) == "adhoc"
    return bool(args.check) or bool(args.adhoc) or by_hand


def retarget(
    settings: Settings, url: str | None, allow: Sequence[str]
) -> tuple[Settings, str | None]:
    """`settings` aimed at `url` (and the `--allow-host` hosts allowed); the header line's note.

    Refused, with one line, when the URL's host is not allowed by the config or the command line.
    """
    for host in allow:
        if not _HOST.match(host):
            raise UsageError(
                f"--allow-host: got {host!r}, expected a host name like preview.example.com "
                "or *.preview.example.com (no scheme, port or path)"
            )
    if url is None:
        if not allow:
            return settings, None
        hosts = _union(settings.safety.allowed_hosts, allow)
        return _with(settings, settings.base_url, hosts), f"also allowed: {', '.join(allow)}"
    from prodsmoke.e2e.guard import host_allowed  # here: the guard brings asyncio (start-up)

    host = _checked_url(url)
    url = url.rstrip("/")
    own = settings.host
    configured = (own, *settings.safety.allowed_hosts)
    if host == own:
        why = "the environment's own host"
    elif host_allowed(host, configured):
        why = f"{host} in safety.allowed_hosts"
    elif host_allowed(host, allow):
        why = f"{host} allowed by --allow-host"
    else:
        raise UsageError(
            f"--base-url {url}: host {host} is not the environment's ({own}) nor in its "
            f"safety.allowed_hosts, and the guard never widens on its own; to send the run "
            f"there, add --allow-host {host}"
        )
    hosts = _union(settings.safety.allowed_hosts, [own] if own != host else [], allow)
    if url == settings.base_url:
        return _with(settings, url, hosts), None
    return _with(settings, url, hosts), f"--base-url, not {settings.base_url}; {why}"


def _checked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--base-url: got {url!r}, expected an http(s) URL, e.g. https://pr-42.example.com"
        )
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            "--base-url: a user name or password in the URL would be shown and stored with "
            "every result; set http_credentials in the environment file instead"
        )
    if parts.query or parts.fragment:
        raise UsageError(f"--base-url: got {url!r}, expected no query string or fragment")
    try:
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        raise UsageError(f"--base-url: got {url!r}, its port is not a number 1-65535") from None
    return parts.hostname.lower()


def _union(*groups: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(h for group in groups for h in group))


def _with(settings: Settings, url: str, hosts: tuple[str, ...]) -> Settings:
    safety = settings.safety.model_copy(update={"allowed_hosts": hosts})
    moved = settings.model_copy(update={"base_url": url, "safety": safety})
    return moved.loaded_from(settings.file)
