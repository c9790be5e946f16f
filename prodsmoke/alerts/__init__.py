"""Alerts, dashboards and uptime checks as code: config/alert-rules.yaml made into Datadog
monitors and dashboards, CloudWatch alarms and dashboards, and Pingdom / StatusCake uptime checks,
per environment, by `smoke alerts plan|apply` (SPEC §7, §14); and the rollback conditions
`smoke gate` honours (`rollback`)."""
