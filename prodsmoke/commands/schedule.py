"""`smoke schedule render|check|targets`: the one schedule and the files that must follow it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from prodsmoke.commands.common import config_flag

RUNNER_CHOICES = ("github_actions", "lambda", "kubernetes")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke schedule` and its three subcommands."""
    schedule = sub.add_parser(
        "schedule", help="config/cron-schedule.yaml and the workflow, Lambda and CronJob schedules"
    )
    actions = schedule.add_subparsers(dest="action", required=True, parser_class=type(schedule))

    render = actions.add_parser("render", help="print each runner's schedule in its own syntax")
    _common(render)
    render.add_argument("--json", action="store_true", help="print JSON")
    render.add_argument(
        "--write", action="store_true", help="rewrite the schedule lines in the runners' files"
    )
    render.set_defaults(handler=handle_render)

    check = actions.add_parser("check", help="exit 1 when a runner's file disagrees with it")
    _common(check)
    check.set_defaults(handler=handle_check)

    targets = actions.add_parser("targets", help="print 'ENV REGION' lines for one runner")
    _common(targets)
    targets.add_argument("runner", choices=RUNNER_CHOICES)
    targets.set_defaults(handler=handle_targets)


def _common(parser: argparse.ArgumentParser) -> None:
    config_flag(parser)
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="repository root holding .github/ and deploy/ (default: the config folder's parent)",
    )


def _root(args: argparse.Namespace) -> Path:
    root: Path = args.root if args.root is not None else args.config.resolve().parent
    return root


def handle_render(args: argparse.Namespace) -> int:
    """Print the three expressions (or JSON); with --write, rewrite the files from them."""
    from prodsmoke.schedule import FILES, RUNNERS, load_schedule, write

    schedule = load_schedule(args.config)
    if args.write:
        for file in write(schedule, _root(args)):
            print(f"rewrote {file}")
    if args.json:
        doc = {
            name: {
                "file": FILES[name],
                "schedule": schedule.expression(name),
                "targets": [{"environment": e, "region": r} for e, r in schedule.targets(name)],
            }
            for name in RUNNERS
        }
        print(json.dumps({"every_minutes": schedule.every_minutes, "runners": doc}, indent=2))
        return 0
    print(f"every {schedule.every_minutes} minutes, UTC ({args.config}/cron-schedule.yaml)")
    for name in RUNNERS:
        runner = schedule.runner(name)
        where = f"{', '.join(runner.environments)} from {', '.join(runner.regions)}"
        print(f"  {name:<15} {schedule.expression(name):<22} {FILES[name]}  ({where})")
    return 0


def handle_check(args: argparse.Namespace) -> int:
    """One line per disagreement; exit 1 when there is any."""
    from prodsmoke.schedule import check, load_schedule

    mismatches = check(load_schedule(args.config), _root(args))
    for mismatch in mismatches:
        print(mismatch)
    if mismatches:
        print("fix the files by hand, or run: smoke schedule render --write")
        return 1
    print("ok: the workflow, the Lambda template and the CronJob follow cron-schedule.yaml")
    return 0


def handle_targets(args: argparse.Namespace) -> int:
    """`ENV REGION` per line, for scripts (deploy/lambda/deploy.sh reads its regions here)."""
    from prodsmoke.schedule import load_schedule

    for env, region in load_schedule(args.config).targets(args.runner):
        print(env, region)
    return 0
