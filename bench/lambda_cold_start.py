"""What the shared history costs a Lambda cold start.

    .venv/bin/python bench/lambda_cold_start.py [--rounds 7]

Each sample is a fresh Python process (a cold container: new interpreter, new /tmp) that imports
`prodsmoke.aws_lambda.handler` and invokes it with EventBridge's scheduled event against the demo
target, timed from spawn to the handler's return. Variants, interleaved round by round:

- `before`: the commit this work started from (`--base`, exported with `git archive`), whose
  history is stdlib sqlite3 in /tmp;
- `no-history`: this tree, the history reporter not configured;
- `sqlite`: this tree, the default SQLite history in /tmp (SQLAlchemy);
- `postgresql`: this tree, the shared history on a loopback PostgreSQL (SQLAlchemy + psycopg).

Target: the history on PostgreSQL costs at most 5% over `before`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import DEMO_CONFIG, PYTHON, ROOT, DemoTarget, machine, save, verdict

sys.path[:0] = [str(ROOT)]
from tests.pg_server import postgres_server  # noqa: E402

INVOKE = """
import json, sys, time, uuid
started = time.perf_counter()
from prodsmoke.aws_lambda.handler import handler
class Context:
    aws_request_id = str(uuid.uuid4())
    def get_remaining_time_in_millis(self):
        return 90000
event = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
summary = handler(event, Context())
print(json.dumps({"handler_s": time.perf_counter() - started, "status": summary.get("status"),
                  "errors": summary.get("reporter_errors")}), file=sys.stderr)
"""


def sample(variant: str, *, base: Path, config: Path, env: dict[str, str]) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="lambda-tmp-"))
    own = dict(env, SMOKE_LAMBDA_ROOT=str(root), SMOKE_CONFIG_DIR=str(config / variant))
    if variant == "before":
        own["PYTHONPATH"] = str(base)
        own["SMOKE_CONFIG_DIR"] = str(config / "sqlite")
    started = time.perf_counter()
    proc = subprocess.run(
        [str(PYTHON), "-c", INVOKE], env=own, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    shutil.rmtree(root, ignore_errors=True)
    doc = json.loads(proc.stderr.strip().splitlines()[-1])
    if proc.returncode != 0 or doc["status"] not in ("pass", "warn") or doc["errors"]:
        raise SystemExit(f"{variant}: {proc.stderr[-2000:]}")
    return {"wall_s": wall, "handler_s": doc["handler_s"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--base", default="affde6c", help="the commit to compare with")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lambda-bench-"))
    base = work / "base"
    base.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", args.base, "prodsmoke"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
    config = work / "config"
    monitoring = {
        "no-history": "reporters: [cloudwatch]\n",
        "sqlite": "reporters: [history, cloudwatch]\n",
        "postgresql": "reporters: [history, cloudwatch]\n",
    }
    for variant, text in monitoring.items():
        (config / variant / "environments").mkdir(parents=True)
        shutil.copy(DEMO_CONFIG / "environments/demo.yaml", config / variant / "environments")
        (config / variant / "monitoring-integration.yaml").write_text(text)
    variants = ["before", "no-history", "sqlite", "postgresql"]
    times: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    with DemoTarget() as target, postgres_server() as pg:
        if pg is None:
            print("no PostgreSQL server binaries (apt-get install postgresql)")
            return 2
        url = pg.create_database()
        env = target.env(
            AWS_LAMBDA_FUNCTION_NAME="prodsmoke-demo",
            AWS_REGION="us-east-1",
            SMOKE_ENV="demo",
        )
        for key in ("PRODSMOKE_HISTORY_URL", "SMOKE_ARTIFACT_BUCKET", "SMOKE_SECRETS"):
            env.pop(key, None)
        for variant in ("before", "sqlite"):  # warm the page cache; compile the base's bytecode
            sample(variant, base=base, config=config, env=env)
        for i in range(args.rounds):
            order = variants[i % 4 :] + variants[: i % 4]
            for variant in order:
                target.reset()
                extra = {"PRODSMOKE_HISTORY_URL": url} if variant == "postgresql" else {}
                times[variant].append(sample(variant, base=base, config=config, env=env | extra))
    figures: dict = {"machine": machine(), "rounds": args.rounds, "base": args.base}
    before = statistics.median(t["wall_s"] for t in times["before"])
    for variant in variants:
        wall = statistics.median(t["wall_s"] for t in times[variant])
        handler = statistics.median(t["handler_s"] for t in times[variant])
        change = wall / before - 1
        figures[variant] = {"wall_s": round(wall, 3), "handler_s": round(handler, 3),
                            "vs_before": round(change, 4)}  # fmt: skip
        print(f"{variant:>11}: cold invocation {wall:.2f} s (handler {handler:.2f} s), "
              f"{change:+.1%} vs before")  # fmt: skip
    worst = figures["postgresql"]["vs_before"]
    print(f"history on PostgreSQL vs before: {worst:+.1%}; target <= +5%: {verdict(worst <= 0.05)}")
    print(f"figures: {save('lambda_cold_start', figures)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
