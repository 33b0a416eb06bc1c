"""The `digest` command: the only place that prints and picks exit codes.

What the rest may use: `main` (the console script) and `cli` (the click group, for tests).

Modules: `app` (the group and the pipeline commands), `edit` (`digest edit ...`),
`subscribers` (`digest subscribers ...`), `output` (console, reports, exit codes).
"""

from digest.cli.app import cli, main

__all__ = ["cli", "main"]
