"""config/cron-schedule.yaml is the one schedule: the workflow, the Lambda template and the
CronJob must agree with it, and `smoke schedule` says so (or rewrites them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prodsmoke.cli import main
from prodsmoke.errors import ConfigError
from prodsmoke.schedule import FILES, check, load_schedule, write

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The config folder and the three runners' files, copied to play with."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    for file in FILES.values():
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / file, tmp_path / file)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_the_repository_files_follow_the_schedule() -> None:
    schedule = load_schedule(REPO / "config")
    assert check(schedule, REPO) == []
    # every 30 minutes, from every place the brief names
    assert schedule.every_minutes == 30
    assert schedule.targets("lambda") == [
        ("production", "us-east-1"),
        ("production", "us-west-2"),
        ("production", "eu-west-1"),
    ]
    assert schedule.targets("github_actions") == [("production", "gha")]
    assert schedule.targets("kubernetes") == [("production", "k8s")]


def test_each_runner_renders_the_schedule_in_its_own_syntax() -> None:
    schedule = load_schedule(REPO / "config")
    assert schedule.expression("github_actions") == "7,37 * * * *"
    assert schedule.expression("lambda") == "cron(0,30 * * * ? *)"
    assert schedule.expression("kubernetes") == "15,45 * * * *"


@pytest.mark.parametrize(
    ("file", "old", "new", "key"),
    [
        (FILES["github_actions"], '"7,37 * * * *"', '"0 * * * *"', "on.schedule[*].cron"),
        (FILES["github_actions"], "'[\"production\"]'", "'[\"staging\"]'", "matrix.environment"),
        (FILES["github_actions"], "SMOKE_REGION: gha", "SMOKE_REGION: github", "SMOKE_REGION"),
        (FILES["lambda"], "cron(0,30 * * * ? *)", "rate(30 minutes)", "ScheduleExpression"),
        (FILES["lambda"], "AllowedValues: [production, staging]", "AllowedValues: [staging]",
         "Parameters.Environment.AllowedValues"),
        (FILES["kubernetes"], '"15,45 * * * *"', '"*/30 * * * *"', "spec.schedule"),
        (FILES["kubernetes"], "timeZone: Etc/UTC", "timeZone: Europe/Berlin", "spec.timeZone"),
        (FILES["kubernetes"], '"--env", "production"', '"--env", "staging"', "pairs"),
        (FILES["kubernetes"], "value: k8s", "value: eu-central-1", "pairs"),
    ],
)  # fmt: skip
def test_a_runner_that_disagrees_is_reported(
    repo_copy: Path, file: str, old: str, new: str, key: str
) -> None:
    edit(repo_copy / file, old, new)

    mismatches = check(load_schedule(repo_copy / "config"), repo_copy)

    assert [m.file for m in mismatches] == [file]
    assert key in mismatches[0].key
    assert "cron-schedule.yaml says" in str(mismatches[0])


def test_a_changed_schedule_makes_every_runner_disagree_until_rendered(repo_copy: Path) -> None:
    edit(repo_copy / "config/cron-schedule.yaml", "every_minutes: 30", "every_minutes: 15")
    edit(repo_copy / "config/cron-schedule.yaml", "at_minute: 15", "at_minute: 0")
    edit(repo_copy / "config/cron-schedule.yaml", "at_minute: 7", "at_minute: 2")
    schedule = load_schedule(repo_copy / "config")
    assert sorted({m.file for m in check(schedule, repo_copy)}) == sorted(FILES.values())
    before = (repo_copy / FILES["kubernetes"]).read_text()

    assert sorted(write(schedule, repo_copy)) == sorted(FILES.values())

    assert check(schedule, repo_copy) == []
    after = (repo_copy / FILES["kubernetes"]).read_text()
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    # only the schedule line changed; comments and everything else stay as they were
    assert changed == [('  schedule: "15,45 * * * *"', '  schedule: "0,15,30,45 * * * *"')]
    assert "cron(0,15,30,45 * * * ? *)" in (repo_copy / FILES["lambda"]).read_text()
    assert write(schedule, repo_copy) == []  # idempotent


def test_a_missing_runner_file_is_reported(repo_copy: Path) -> None:
    (repo_copy / FILES["kubernetes"]).unlink()
    (mismatch,) = check(load_schedule(repo_copy / "config"), repo_copy)
    assert (
        str(mismatch) == "deploy/k8s/cronjob.yaml: no such file; it should run on '15,45 * * * *'"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("every_minutes: 30", "every_minuts: 30",
         "every_minuts: unknown key 'every_minuts'; did you mean 'every_minutes'?"),
        ("every_minutes: 30", "every_minutes: 25",
         "every_minutes: got 25, expected a divisor of the hour: 5, 6, 10, 12, 15, 20, 30 or 60"),
        ("every_minutes: 30", "every_minutes: 90", "every_minutes: got 90, expected minutes"),
        ("at_minute: 15", "at_minute: 45",
         "kubernetes.at_minute: got 45, expected a minute inside the 30-minute period: 0-29"),
        ("regions: [gha]", "regions: [gha, github]",
         "runners.github_actions.regions: expected one label: a workflow runs from one place"),
        ("regions: [us-east-1, us-west-2, eu-west-1]", "regions: [US East]",
         "runners.lambda.regions[0]: got 'US East', expected a region label like us-east-1"),
        ("regions: [k8s]", "regions: []", "kubernetes.regions: got a list, expected region"),
        ("  kubernetes:", "  kubernetez:",
         "runners.kubernetez: unknown key 'kubernetez'; did you mean 'kubernetes'?"),
        ("  lambda:", "  aws_lambda:",
         "runners.aws_lambda: unknown key 'aws_lambda'; did you mean 'lambda'?"),
        ("    at_minute: 0\n", "    at_minut: 0\n",
         "runners.lambda.at_minut: unknown key 'at_minut'; did you mean 'at_minute'?"),
    ],
)  # fmt: skip
def test_schedule_file_errors_are_one_line(
    repo_copy: Path, old: str, new: str, message: str
) -> None:
    edit(repo_copy / "config/cron-schedule.yaml", old, new)
    with pytest.raises(ConfigError) as caught:
        load_schedule(repo_copy / "config")
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(repo_copy / "config/cron-schedule.yaml"))
    assert message in text


def test_an_environment_without_a_config_file_is_refused(repo_copy: Path) -> None:
    edit(
        repo_copy / "config/cron-schedule.yaml",
        "environments: [production]",
        "environments: [prod]",
    )
    with pytest.raises(
        ConfigError,
        match=r"environments\[0\]: got 'prod', expected an environment with a file under "
        r"environments/: production, staging",
    ):
        load_schedule(repo_copy / "config")


def test_smoke_schedule_check_exits_1_with_one_line_per_disagreement(
    repo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(repo_copy / "config")
    assert main(["schedule", "check", "--config", config]) == 0
    edit(repo_copy / FILES["lambda"], "cron(0,30 * * * ? *)", "cron(5,35 * * * ? *)")
    capsys.readouterr()

    assert main(["schedule", "check", "--config", config]) == 1

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("deploy/lambda/template.yaml: Resources.*.Properties.Schedule")
    assert "cron(5,35 * * * ? *)" in out[0]
    assert out[-1] == "fix the files by hand, or run: smoke schedule render --write"
    assert main(["schedule", "render", "--write", "--config", config]) == 0
    assert main(["schedule", "check", "--config", config]) == 0


def test_smoke_schedule_targets_lists_env_and_region_for_scripts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schedule", "targets", "lambda", "--config", str(REPO / "config")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "production us-east-1",
        "production us-west-2",
        "production eu-west-1",
    ]


def test_smoke_schedule_render_shows_each_runner(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "render", "--config", str(REPO / "config")]) == 0
    out = capsys.readouterr().out
    assert "cron(0,30 * * * ? *)" in out
    assert "deploy/k8s/cronjob.yaml" in out
    assert "production from us-east-1, us-west-2, eu-west-1" in out
