#!/usr/bin/env bash
# Deploy prodsmoke's Lambda stack to every region in config/cron-schedule.yaml (runners.lambda:
# us-east-1, us-west-2, eu-west-1): build the image once, push it to ECR in each region, and
# create or update one CloudFormation stack per environment and region. When an environment's
# account_lease uses DynamoDB, its table (deploy/lambda/leases.yaml) is deployed first, once, in
# account_lease.region, and the functions may use that table and no other.
#
#   deploy/lambda/deploy.sh --bucket BUCKET --secrets NAME[,NAME...] [--tag TAG] [--prefix P]
#                           [--smoke-secrets 'VAR=name#key,...'] [--dry-run]
#
#   --bucket         existing S3 bucket for results and failure artifacts (one for all regions)
#   --secrets        Secrets Manager secret names the run reads (SMOKE_TEST_PASSWORD's, and any
#                    accounts' aws_secret); the function may read these and nothing else
#   --smoke-secrets  the function's SMOKE_SECRETS (default: the template's)
#   --tag            image tag (default: the git commit)
#   --dry-run        print the commands instead of running them (needs neither docker nor aws)
#
# Needs docker with BuildKit, the AWS CLI v2 with credentials, and prodsmoke installed (it reads
# the schedule with `smoke schedule`: the `smoke` on PATH, else .venv/bin/smoke, or SMOKE=PATH).
set -euo pipefail

cd "$(dirname "$0")/../.."
smoke="${SMOKE:-$(command -v smoke || echo .venv/bin/smoke)}"
repository=prodsmoke
bucket="" secrets="" smoke_secrets="" prefix="prodsmoke" dry_run=0
tag="$(git rev-parse --short HEAD 2>/dev/null || echo latest)"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --bucket) bucket="$2"; shift 2 ;;
    --secrets) secrets="$2"; shift 2 ;;
    --smoke-secrets) smoke_secrets="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "deploy.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done
if [ -z "$bucket" ] || [ -z "$secrets" ]; then
  echo "deploy.sh: --bucket and --secrets are required" >&2
  usage 2
fi

run() {
  if [ "$dry_run" = 1 ]; then
    printf '%q ' "$@"
    echo
  else
    "$@"
  fi
}

# Refuse to deploy a schedule that disagrees with config/cron-schedule.yaml.
"$smoke" schedule check >/dev/null || { "$smoke" schedule check >&2; exit 1; }
mapfile -t targets < <("$smoke" schedule targets lambda)
mapfile -t regions < <(printf '%s\n' "${targets[@]}" | awk '{print $2}' | sort -u)

# "TABLE REGION" of an environment's DynamoDB account lease, or nothing (read from its YAML,
# without resolving its ${VAR} secrets).
lease_of() {
  "${PYTHON:-$(dirname "$smoke")/python}" - "config/environments/$1.yaml" <<'PY'
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as file:
    lease = (yaml.safe_load(file) or {}).get("account_lease") or {}
if lease.get("backend") == "dynamodb":
    print(lease["table"], lease.get("region") or "us-east-1")
PY
}

if [ "$dry_run" = 1 ]; then
  account="123456789012"
else
  account="$(aws sts get-caller-identity --query Account --output text)"
fi

# This is prodsmoke's own repository: the image installs the wheel built from it.
run "${PYTHON:-$(dirname "$smoke")/python}" -m pip wheel --quiet --no-deps --wheel-dir dist .

# Lambda takes a single-platform image manifest: no attestations (they make an index).
run docker build --platform linux/amd64 --provenance=false \
  -f deploy/lambda/Dockerfile -t "$repository:$tag" .

for region in "${regions[@]}"; do
  registry="$account.dkr.ecr.$region.amazonaws.com"
  if [ "$dry_run" = 0 ]; then
    aws ecr describe-repositories --region "$region" --repository-names "$repository" \
      >/dev/null 2>&1 ||
      aws ecr create-repository --region "$region" --repository-name "$repository" \
        --image-scanning-configuration scanOnPush=true >/dev/null
    aws ecr get-login-password --region "$region" |
      docker login --username AWS --password-stdin "$registry"
  fi
  run docker tag "$repository:$tag" "$registry/$repository:$tag"
  run docker push "$registry/$repository:$tag"
done

declare -A lease_tables=() deployed_leases=()
for target in "${targets[@]}"; do
  read -r environment _ <<<"$target"
  lease="$(lease_of "$environment")"
  lease_tables[$environment]="$lease"
  if [ -n "$lease" ] && [ -z "${deployed_leases[$lease]:-}" ]; then
    read -r table lease_region <<<"$lease"
    run aws cloudformation deploy --region "$lease_region" \
      --stack-name "${table//[^A-Za-z0-9-]/-}" \
      --template-file deploy/lambda/leases.yaml \
      --no-fail-on-empty-changeset \
      --parameter-overrides "TableName=$table"
    deployed_leases[$lease]=1
  fi
done

for target in "${targets[@]}"; do
  read -r environment region <<<"$target"
  # Secrets Manager appends six random characters to a secret's name in its ARN.
  arns=""
  IFS=, read -ra names <<<"$secrets"
  for name in "${names[@]}"; do
    arns+="${arns:+,}arn:aws:secretsmanager:$region:$account:secret:$name-??????"
  done
  overrides=(
    "ImageUri=$account.dkr.ecr.$region.amazonaws.com/$repository:$tag"
    "Environment=$environment"
    "ArtifactBucket=$bucket"
    "ArtifactPrefix=$prefix"
    "SecretArns=$arns"
  )
  if [ -n "${lease_tables[$environment]}" ]; then
    read -r table lease_region <<<"${lease_tables[$environment]}"
    overrides+=("LeaseTable=$table" "LeaseTableRegion=$lease_region")
  fi
  if [ -n "$smoke_secrets" ]; then
    overrides+=("SmokeSecrets=$smoke_secrets")
  fi
  run aws cloudformation deploy --region "$region" \
    --stack-name "prodsmoke-$environment" \
    --template-file deploy/lambda/template.yaml \
    --capabilities CAPABILITY_IAM \
    --no-fail-on-empty-changeset \
    --parameter-overrides "${overrides[@]}"
done
