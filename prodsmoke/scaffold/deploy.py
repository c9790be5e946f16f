"""The files that run a project on its schedule (SPEC §9): the GitHub workflow, the Lambda image,
its build context, template, lease table and deploy script, and the Kubernetes CronJob.

One renderer for every project: `smoke init` writes a team's with prodsmoke pinned to a release,
and this repository's own are its rendering for BetterPrompts with prodsmoke from the checkout
(`scripts/render-deploy`; a test fails when they differ). The schedule lines come from the
schedule's own rendering (`CronSchedule.expression`), the one `smoke schedule check` compares.

Playwright is one version everywhere: the image's tag (Playwright's Python image, whose browsers
are that release's) and the package installed on it, and the workflow's. A team's files pin the
Playwright `smoke init` ran with; this repository's installs take it from `constraints.txt`,
which CI and `make` install with too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prodsmoke.config.loader import available_environments, environment_file, read_yaml
from prodsmoke.config.schedule import load_schedule
from prodsmoke.scaffold.template import render
from prodsmoke.schedule import FILES

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.config.schedule import CronSchedule

EXTRAS = "aws,datadog,postgres"  # the runtime extras: S3/CloudWatch/secrets, Datadog, history
DOCKERFILE = "deploy/lambda/Dockerfile"
DEPLOY_SCRIPT = "deploy/lambda/deploy.sh"
CONSTRAINTS = "constraints.txt"  # prodsmoke's own repository: the versions every install uses
_SECRET = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # ${VAR}, not ${VAR:-default}


@dataclass(frozen=True, slots=True)
class Release:
    """prodsmoke from the package index, pinned to one release (a team's project)."""

    version: str


@dataclass(frozen=True, slots=True)
class Checkout:
    """prodsmoke from the source tree the project lives in (prodsmoke's own repository): the
    workflow installs the checkout, the image the wheel built from it into dist/."""

    version: str


@dataclass(frozen=True, slots=True)
class Deploy:
    """What the deploy files of one project depend on."""

    environments: tuple[str, ...]  # every environment file: dispatch choices, Lambda's values
    schedule: CronSchedule
    prodsmoke: Release | Checkout
    playwright_version: str  # the Playwright image's tag and the package installed on it
    secrets: tuple[str, ...] = ()  # the ${VAR}s the config reads: secrets in every runner
    lambda_secrets: str = ""  # the template's SmokeSecrets default: VAR=secret[#key],…

    @classmethod
    def from_config(
        cls,
        config_dir: Path,
        prodsmoke: Release | Checkout,
        *,
        playwright_version: str,
        lambda_secrets: str = "",
    ) -> Deploy:
        """The deploy files' inputs as a config root states them."""
        environments = tuple(available_environments(config_dir))
        return cls(
            environments=environments,
            schedule=load_schedule(config_dir),
            prodsmoke=prodsmoke,
            playwright_version=playwright_version,
            secrets=secret_variables(config_dir, environments),
            lambda_secrets=lambda_secrets,
        )

    def files(self) -> dict[str, str]:
        """Path (from the project's root) -> text, for every deploy file."""
        return {
            FILES["github_actions"]: self.workflow(),
            DOCKERFILE: self.dockerfile(),
            f"{DOCKERFILE}.dockerignore": self.dockerignore(),
            FILES["lambda"]: self.lambda_template(),
            DEPLOY_SCRIPT: self.deploy_script(),
            "deploy/lambda/leases.yaml": render("leases.yaml"),
            FILES["kubernetes"]: self.cronjob(),
        }

    @property
    def from_checkout(self) -> bool:
        """Whether prodsmoke comes from the project's own source tree."""
        return isinstance(self.prodsmoke, Checkout)

    def workflow(self) -> str:
        """.github/workflows/production-smoke.yml."""
        runner = self.schedule.runners.github_actions
        version = self.prodsmoke.version
        if self.from_checkout:
            requirement = f"--constraint {CONSTRAINTS} '.[{EXTRAS}]'"
            cache = f"|\n            pyproject.toml\n            {CONSTRAINTS}"
            note = (
                "# This is prodsmoke's own repository: the suite runs from this checkout, with\n"
                f"# the Playwright of {CONSTRAINTS} (the Lambda image's too).\n"
            )
        else:
            playwright = self.playwright_version
            requirement = f"'prodsmoke[{EXTRAS}]=={version}' 'playwright=={playwright}'"
            cache = FILES["github_actions"]
            note = (
                f"# prodsmoke {version} and Playwright {playwright}, those `smoke init` was run\n"
                f"# with; raise them here and in {DOCKERFILE} (PRODSMOKE_VERSION,\n"
                "# PLAYWRIGHT_VERSION) together.\n"
            )
        return render(
            "production-smoke.yml",
            cron=self.schedule.expression("github_actions"),
            environments=", ".join(self.environments),
            environments_json=json.dumps(list(self.environments)),
            default_environment=runner.environments[0],
            scheduled_json=json.dumps(list(runner.environments)),
            region=runner.regions[0],
            cache_dependency_path=cache,
            install_comment="".join(f"      {line}\n" for line in note.splitlines()),
            requirement=requirement,
            secret_env="".join(
                f"          {name}: ${{{{ secrets.{name} }}}}\n" for name in self.secrets
            ),
        )

    def dockerfile(self) -> str:
        """deploy/lambda/Dockerfile."""
        build = f"docker build -f {DOCKERFILE} -t prodsmoke .   (from the root; deploy.sh does it)"
        if self.from_checkout:
            commands = ["python -m pip wheel --no-deps --wheel-dir dist .", build]
            source = (
                "# This is prodsmoke's own repository: prodsmoke is the wheel built from it into\n"
                "# dist/, bind-mounted, so it is not a layer of the image; the versions CI tested\n"
                f"# with are those of {CONSTRAINTS} (the Playwright above is its pin).\n"
            )
            mount = (
                "--mount=type=bind,source=dist,target=/dist \\\n"
                f"    --mount=type=bind,source={CONSTRAINTS},target=/{CONSTRAINTS} \\\n    "
            )
            constraint = f" \\\n        --constraint /{CONSTRAINTS}"
            requirement = f"/dist/prodsmoke-${{PRODSMOKE_VERSION}}-py3-none-any.whl[{EXTRAS}]"
        else:
            commands = [build]
            source = (
                "# prodsmoke is the release `smoke init` was run with, from the package index.\n"
            )
            mount, constraint = "", ""
            requirement = f"prodsmoke[{EXTRAS}]==${{PRODSMOKE_VERSION}}"
        return render(
            "Dockerfile",
            build_comment="".join(f"#   {command}\n" for command in commands),
            playwright_version=self.playwright_version,
            prodsmoke_version=self.prodsmoke.version,
            install_comment=source,
            mount=mount,
            constraint=constraint,
            requirement=requirement,
        )

    def dockerignore(self) -> str:
        """deploy/lambda/Dockerfile.dockerignore: the build context the image may see."""
        wheel = self.from_checkout
        return render(
            "Dockerfile.dockerignore",
            ignore_comment=(
                "# This is prodsmoke's own repository: the image takes its wheel from dist/, and\n"
                f"# installs with {CONSTRAINTS}.\n"
                if wheel
                else ""
            ),
            ignore_extra=f"!dist/prodsmoke-*.whl\n!{CONSTRAINTS}\n" if wheel else "",
        )

    def lambda_template(self) -> str:
        """deploy/lambda/template.yaml."""
        return render(
            "template.yaml",
            environments=", ".join(self.environments),
            default_environment=self.schedule.runners.lambda_.environments[0],
            lambda_secrets=self.lambda_secrets,
            cron=self.schedule.expression("lambda"),
        )

    def deploy_script(self) -> str:
        """deploy/lambda/deploy.sh."""
        build = (
            "# This is prodsmoke's own repository: the image installs the wheel built from it.\n"
            'run "${PYTHON:-$(dirname "$smoke")/python}" -m pip wheel --quiet --no-deps '
            "--wheel-dir dist .\n\n"
            if self.from_checkout
            else ""
        )
        return render("deploy.sh", build_wheel=build)

    def cronjob(self) -> str:
        """deploy/k8s/cronjob.yaml: one CronJob per (environment, region) of the schedule."""
        targets = self.schedule.targets("kubernetes")
        envs = [env for env, _ in targets]
        jobs = [
            render(
                "cronjob-one.yaml",
                name=f"prodsmoke-{env}" if envs.count(env) == 1 else f"prodsmoke-{env}-{region}",
                environment=env,
                region=region,
                cron=self.schedule.expression("kubernetes"),
                every=str(self.schedule.every_minutes),
                secret_env="".join(_k8s_secret(name) for name in self.secrets),
            )
            for env, region in targets
        ]
        return render(
            "cronjob.yaml",
            secret_literals="".join(f"#     --from-literal={n}=… \\\n" for n in self.secrets),
            cronjobs="---\n".join(jobs).rstrip("\n"),
        )


def _k8s_secret(name: str) -> str:
    """A container env entry for a secret the run cannot do without."""
    return (
        f"                - name: {name}\n"
        "                  valueFrom:\n"
        f"                    secretKeyRef: {{name: prodsmoke-secrets, key: {name}}}\n"
    )


def secret_variables(config_dir: Path, environments: tuple[str, ...]) -> tuple[str, ...]:
    """The `${VAR}` references (without a default) of the environment files, sorted."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.update(_SECRET.findall(node))

    for env in environments:
        walk(read_yaml(environment_file(config_dir, env)))
    return tuple(sorted(found))


def pinned(constraints: str, package: str) -> str:
    """The version a constraints file's text pins `package` to (`package==X`)."""
    for line in constraints.splitlines():
        name, sep, version = line.split("#", 1)[0].replace(" ", "").partition("==")
        if sep and name.lower() == package.lower():
            return version
    raise ValueError(f"{CONSTRAINTS} pins no {package} (expected a line '{package}==X.Y.Z')")
