"""prodsmoke as an AWS Lambda container function (SPEC §9; deploy/lambda/).

`handler.handler` is the entry point `awslambdaric` calls. It runs the same code path as
`smoke run` (plan, engine, reporters) from the function's region, writes only under `/tmp`,
uploads results and failure artifacts to S3, and returns the run's summary.
"""
