"""Alerts and dashboards as code: config/alert-rules.yaml made into Datadog monitors and
dashboards and CloudWatch alarms and dashboards, by `smoke alerts plan|apply` (SPEC §7)."""
