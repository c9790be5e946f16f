"""The outside services prodsmoke talks to, as every part that talks to them needs them: how to
build a Datadog client and word its errors, where AWS credentials come from, and the names
prodsmoke gives what it owns there. Reporters, alerts and maintenance share these; none of them
reaches into another's modules for them."""
