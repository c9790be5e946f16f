"""A team's prodsmoke project, written by `smoke init` (SPEC §15).

`project` holds what a project for one site is: its environment (the guard set from the URL, a
health or page check, the home page's load), the monitoring, alert-rule and schedule files, a
Python journey of the home page, and a README. `deploy` renders the files that run it on the
schedule: the GitHub workflow, the Lambda image and template, the Kubernetes CronJob. This
repository's own deploy files are the same renderer's output for BetterPrompts
(`scripts/render-deploy`), so the two never drift. `probe` looks at the site first, GET-only,
through the guard. The files are templates (`templates/*.tmpl`, package data), filled by
`template.render`.
"""
