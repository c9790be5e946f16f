"""`smoke demo` and `smoke serve-demo`: the embedded demo target."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prodsmoke.commands.common import DEFAULT_CONFIG, config_suffix, output_flag
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prodsmoke.config.models import Settings
    from prodsmoke.demo import Faults


MAX_PORT = 65535


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke demo` and `smoke serve-demo`."""
    demo = sub.add_parser(
        "demo", help="start the demo target, run the whole suite against it, stop it"
    )
    demo.add_argument(
        "--fault", default="", metavar="F[,F…]", help="demo faults, e.g. slow-homepage:300"
    )
    demo.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="DIR",
        help="config root holding environments/demo.yaml (default: ./config when it has one, "
        "else the demo project packaged with prodsmoke)",
    )
    output_flag(demo)
    demo.add_argument("--assets", type=int, default=10, help="static assets on the demo homepage")
    demo.set_defaults(handler=handle_demo)

    serve = sub.add_parser("serve-demo", help="serve the demo target until interrupted")
    serve.add_argument(
        "--port", type=int, default=8321, help="port on 127.0.0.1 (0: any free port)"
    )
    serve.add_argument("--fault", default="", metavar="F[,F…]", help="demo faults")
    serve.add_argument("--assets", type=int, default=10, help="static assets on the homepage")
    serve.add_argument("--quiet", action="store_true", help="no access log, only the start line")
    # `smoke demo` starts the target with its own pid here: the target stops when it is gone.
    serve.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    serve.add_argument(
        "--rate-limit",
        type=positive_int,
        default=600,
        metavar="N",
        help="API requests per minute per client before a 429 (default 600)",
    )
    serve.set_defaults(handler=handle_serve)


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a whole number >= 1")
    return value


def _demo_package() -> Path:
    """The demo project's folder; a one-line usage error without the 'demo' extra."""
    try:
        from prodsmoke.demo import PROJECT
    except ImportError as exc:
        raise UsageError(
            "the demo target needs the 'demo' extra: pip install 'prodsmoke[demo]'"
        ) from exc
    return PROJECT


def demo_config(given: Path | None) -> tuple[Path, str]:
    """The config root `smoke demo` runs, and a line saying which it is and why.

    `--config DIR` when given; else `./config` when it holds a demo environment (this repository,
    or a project that made its own); else the demo project packaged with prodsmoke, so that
    `smoke demo` works from any folder once prodsmoke is installed.
    """
    if given is not None:
        return given, f"demo project: {given} (--config)"
    if (DEFAULT_CONFIG / "environments" / "demo.yaml").is_file():
        return DEFAULT_CONFIG, "demo project: config (this folder's environments/demo.yaml)"
    packaged = _demo_package() / "config"
    with contextlib.suppress(ValueError):  # shown (and in repro lines) from here when it is below
        packaged = packaged.relative_to(Path.cwd())
    return packaged, (
        f"demo project: {packaged.parent} (packaged with prodsmoke: this folder has no "
        "config/environments/demo.yaml)"
    )


def parse_faults(text: str) -> Faults:
    """`--fault` as `Faults`; a bad one is a one-line usage error."""
    _demo_package()
    from prodsmoke.demo import FaultError, Faults

    try:
        return Faults.parse(text)
    except FaultError as exc:
        raise UsageError(f"--fault: {exc}") from exc


def handle_demo(args: argparse.Namespace) -> int:
    """Start the demo target, run the suite against it, print its audit, stop it."""
    _demo_package()  # without the 'demo' extra: one line, before anything imports it
    from prodsmoke.commands.run import execute
    from prodsmoke.config import load_settings
    from prodsmoke.demo.process import DemoProcess
    from prodsmoke.e2e.warmup import Warmup

    faults = parse_faults(args.fault)
    args.config, which = demo_config(args.config)
    password = os.environ.get("SMOKE_TEST_PASSWORD") or secrets.token_urlsafe(16)
    warmup = Warmup()  # Playwright's driver boots while the demo target starts
    with (
        contextlib.closing(warmup),
        DemoProcess(faults=faults, password=password, assets=args.assets) as server,
    ):
        print(f"demo target: {server.url}" + (f" · faults: {faults}" if str(faults) else ""))
        print(which)
        environ = {
            **os.environ,
            "SMOKE_DEMO_URL": server.url,
            "SMOKE_TEST_PASSWORD": password,
            **second_factors(password),
        }
        settings = load_settings(args.config, "demo", environ=environ)
        code = execute(settings, _as_run(args), warmup=warmup)
        print(audit_line(server.audit(), settings))
    return code


def second_factors(password: str) -> dict[str, str]:
    """The demo accounts' TOTP secret and passkey, as a config reads them (`${VAR}`; issue 21):
    `SMOKE_DEMO_TOTP_SECRET` and `SMOKE_DEMO_PASSKEY`, derived from the password as the demo
    target derives them."""
    from prodsmoke.demo.mfa import passkey, totp_secret

    return {
        "SMOKE_DEMO_TOTP_SECRET": totp_secret(password),
        "SMOKE_DEMO_PASSKEY": json.dumps(passkey(password)),
    }


def _as_run(args: argparse.Namespace) -> argparse.Namespace:
    """`smoke demo`'s flags as `smoke run --env demo`'s: every check, scheduled, traced on
    failure."""
    return argparse.Namespace(
        config=args.config,
        output=args.output,
        check=[],
        region=None,
        headed=False,
        trace="retain-on-failure",
        adhoc=False,
    )


def audit_line(audit: Mapping[str, Any], settings: Settings) -> str:
    """What the demo target saw, in one line: the proof that the run was production safe."""
    allowed = {(w.method, w.path) for w in settings.safety.allowed_writes}
    outside = [r for r in audit["requests"] if (r["method"], r["path"]) not in allowed]
    logins = [x for x in audit["logins"] if x["ok"]]
    factors = audit.get("second_factor", [])  # issue 21: TOTP codes and passkeys checked
    second = f"{len(factors)} second-factor attempt(s), " if factors else ""
    return (
        f"demo target audit: {len(logins)} login(s), {len(audit['logouts'])} logout(s), {second}"
        f"{len(audit['persisted'])} persisted change(s), "
        f"{len(outside)} request(s) outside allowed_writes"
    )


def handle_serve(args: argparse.Namespace) -> int:
    """Serve the demo target in the foreground."""
    _demo_package()
    from prodsmoke.demo import serve

    if not 0 <= args.port <= MAX_PORT:
        raise UsageError(
            f"--port {args.port} is out of range; expected 1-{MAX_PORT}, or 0 for any free port"
        )
    faults = parse_faults(args.fault)
    password = os.environ.get("SMOKE_TEST_PASSWORD")
    if not password:
        password = secrets.token_urlsafe(16)
        config, _ = demo_config(None)
        suffix = config_suffix(config)
        print("SMOKE_TEST_PASSWORD is not set; the demo accounts use a generated password.")
        print(
            f"  export SMOKE_TEST_PASSWORD='{password}'   # to run: smoke run --env demo{suffix}",
            flush=True,
        )
    for name, value in second_factors(password).items():  # the mfa and passkey accounts'
        print(f"  export {name}='{value}'", flush=True)
    try:
        serve(
            port=args.port,
            faults=faults,
            password=password,
            assets=args.assets,
            quiet=args.quiet,
            parent=args.parent,
            rate_limit=args.rate_limit,
        )
    except OSError as exc:  # binding the port: in use, or reserved for root
        raise UsageError(
            f"--port {args.port}: cannot listen on 127.0.0.1:{args.port} "
            f"({(exc.strerror or str(exc)).lower()}); pick another port, or 0 for any free port"
        ) from None
    return 0
