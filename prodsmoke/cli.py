"""The `smoke` command (SPEC §3). Exit codes: 0 pass/warn, 1 a check failed, 2 usage or
configuration error (one line on stderr), 3 the suite itself could not run."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from prodsmoke import __version__
from prodsmoke.errors import SmokeError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from prodsmoke.config.models import Settings

DEFAULT_CONFIG = Path("config")
DEFAULT_OUTPUT = Path("smoke-results")
TRACE_CHOICES = ("on", "off", "retain-on-failure")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def default_region(environ: Mapping[str, str]) -> str:
    """`$SMOKE_REGION`, the Lambda's `AWS_REGION`, `gha` inside GitHub Actions, else `local`."""
    if environ.get("SMOKE_REGION"):
        return environ["SMOKE_REGION"]
    if environ.get("AWS_LAMBDA_FUNCTION_NAME") and environ.get("AWS_REGION"):
        return environ["AWS_REGION"]
    return "gha" if environ.get("GITHUB_ACTIONS") == "true" else "local"


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their flags."""
    parser = _Parser(prog="smoke", description="Production smoke suite: real journeys, safely.")
    parser.add_argument("--version", action="version", version=f"prodsmoke {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the suite against an environment")
    run.add_argument("--env", required=True, help="environment name: DIR/environments/NAME.yaml")
    _config_flag(run)
    run.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="ID",
        help="run only this check (repeatable)",
    )
    run.add_argument("--region", help="region label for results and metrics (default: detected)")
    _output_flag(run)
    run.add_argument("--headed", action="store_true", help="show the browser window")
    run.add_argument(
        "--trace", choices=TRACE_CHOICES, default="retain-on-failure", help="Playwright tracing"
    )

    demo = sub.add_parser(
        "demo", help="start the demo target, run the whole suite against it, stop it"
    )
    demo.add_argument(
        "--fault", default="", metavar="F[,F…]", help="demo faults, e.g. slow-homepage:300"
    )
    _config_flag(demo)
    _output_flag(demo)
    demo.add_argument("--assets", type=int, default=10, help="static assets on the demo homepage")

    serve = sub.add_parser("serve-demo", help="serve the demo target until interrupted")
    serve.add_argument(
        "--port", type=int, default=8321, help="port on 127.0.0.1 (0: any free port)"
    )
    serve.add_argument("--fault", default="", metavar="F[,F…]", help="demo faults")
    serve.add_argument("--assets", type=int, default=10, help="static assets on the homepage")

    check = sub.add_parser(
        "check-config", help="validate config and secret references; show what would run"
    )
    check.add_argument("--env", help="one environment (default: every file under DIR/environments)")
    _config_flag(check)

    browser = sub.add_parser("browser", help="show where Chromium is looked for, and what is here")
    browser.add_argument("--check", action="store_true", help="exit 3 when no Chromium is found")
    return parser


def _config_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, metavar="DIR", help="config root"
    )


def _output_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR", help="results folder"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `smoke` console script."""
    try:
        args = build_parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = COMMANDS[args.command]
        return handler(args)
    except SmokeError as error:
        from prodsmoke.runner import fail_fast

        return fail_fast(error)
    except KeyboardInterrupt:
        print("smoke: interrupted", file=sys.stderr)
        return 130


def _cmd_run(args: argparse.Namespace) -> int:
    from prodsmoke.config import environment_file, load_settings

    settings = load_settings(args.config, args.env)
    return _execute(settings, args, env_file=environment_file(args.config, args.env))


def _execute(
    settings: Settings, args: argparse.Namespace, *, env_file: Path, repro_env: str | None = None
) -> int:
    from prodsmoke.e2e.engine import RunOptions
    from prodsmoke.e2e.plan import plan
    from prodsmoke.reporters.console import ConsoleReporter
    from prodsmoke.runner import execute

    checks = plan(settings, getattr(args, "check", []))
    config = "" if args.config == DEFAULT_CONFIG else f" --config {args.config}"
    options = RunOptions(
        region=getattr(args, "region", None) or default_region(os.environ),
        output_dir=args.output,
        headed=getattr(args, "headed", False),
        trace=getattr(args, "trace", "retain-on-failure"),
        repro=f"smoke repro --env {repro_env or settings.name}{config} {{check}}",
    )
    console = ConsoleReporter(output_dir=args.output)
    outcome = execute(settings, checks, options, env_file=env_file, console=console)
    return outcome.exit_code


def _faults(text: str) -> object:
    try:
        from prodsmoke.demo import FaultError, Faults
    except ImportError as exc:
        raise UsageError(
            "the demo target needs the 'demo' extra: pip install 'prodsmoke[demo]'"
        ) from exc
    try:
        return Faults.parse(text)
    except FaultError as exc:
        raise UsageError(f"--fault: {exc}") from exc


def _cmd_demo(args: argparse.Namespace) -> int:
    from prodsmoke.config import environment_file, load_settings
    from prodsmoke.demo import DemoServer

    faults = _faults(args.fault)
    password = os.environ.get("SMOKE_TEST_PASSWORD") or secrets.token_urlsafe(16)
    with DemoServer(faults=faults, password=password, assets=args.assets) as server:  # type: ignore[arg-type]
        print(f"demo target: {server.url}" + (f" · faults: {faults}" if str(faults) else ""))
        environ = {**os.environ, "SMOKE_DEMO_URL": server.url, "SMOKE_TEST_PASSWORD": password}
        settings = load_settings(args.config, "demo", environ=environ)
        code = _execute(settings, args, env_file=environment_file(args.config, "demo"))
        print(_audit_line(server.audit(), settings))
    return code


def _audit_line(audit: Mapping[str, Any], settings: Settings) -> str:
    allowed = {(w.method, w.path) for w in settings.safety.allowed_writes}
    outside = [r for r in audit["requests"] if (r["method"], r["path"]) not in allowed]
    logins = [x for x in audit["logins"] if x["ok"]]
    return (
        f"demo target audit: {len(logins)} login(s), {len(audit['logouts'])} logout(s), "
        f"{len(audit['persisted'])} persisted change(s), "
        f"{len(outside)} request(s) outside allowed_writes"
    )


def _cmd_serve_demo(args: argparse.Namespace) -> int:
    from prodsmoke.demo import serve

    faults = _faults(args.fault)
    password = os.environ.get("SMOKE_TEST_PASSWORD")
    if not password:
        password = secrets.token_urlsafe(16)
        print("SMOKE_TEST_PASSWORD is not set; the demo accounts use a generated password.")
        print(
            f"  export SMOKE_TEST_PASSWORD='{password}'   # to run: smoke run --env demo",
            flush=True,
        )
    serve(port=args.port, faults=faults, password=password, assets=args.assets)  # type: ignore[arg-type]
    return 0


def _cmd_check_config(args: argparse.Namespace) -> int:
    from prodsmoke.config import available_environments, load_settings
    from prodsmoke.describe import describe

    envs = [args.env] if args.env else available_environments(args.config)
    if not envs:
        raise UsageError(f"no environment files under {args.config}/environments")
    for env in envs:
        settings = load_settings(args.config, env)
        print(describe(settings) if args.env else f"ok  {env}: {settings.base_url}")
    return 0


def _cmd_browser(args: argparse.Namespace) -> int:
    from prodsmoke.e2e.browser import describe_search, find_any

    print(describe_search())
    if args.check and find_any() is None:
        return 3
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _cmd_run,
    "demo": _cmd_demo,
    "serve-demo": _cmd_serve_demo,
    "check-config": _cmd_check_config,
    "browser": _cmd_browser,
}


if __name__ == "__main__":
    sys.exit(main())
