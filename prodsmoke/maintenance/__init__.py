"""Maintenance windows (SPEC §12): when a run's failures page nobody and count nowhere.

- `windows`: which window covers a moment: stored ones (`smoke maintenance start`) and
  recurring ones (`cron`, `duration`, `reason`, from config/alert-rules.yaml).
- `providers`: silencing alerting for an environment while a window lasts, and giving it back:
  `datadog` (a v2 downtime on the monitors prodsmoke manages) and `cloudwatch` (the actions of
  the alarms `smoke alerts apply` created), each used only when configured.
"""
