"""Optional dependencies: each named by the extra that installs it, so a missing one is one line.

`pyproject.toml`'s `[project.optional-dependencies]` lists the extras; this is the only place
that imports one of their packages, and it says which extra to install instead of a traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from digest import DISTRIBUTION
from digest.errors import ConfigError

# module -> the extra that installs it
EXTRAS = {"psycopg": "postgres"}


def optional(module: str, needed_for: str) -> ModuleType:
    """Import `module`, or raise a ConfigError naming the extra and the install command."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS[module.partition(".")[0]]
        raise ConfigError(
            f"{needed_for} needs the {extra!r} extra, which is not installed: "
            f"pip install '{DISTRIBUTION}[{extra}]' (or pipx install '{DISTRIBUTION}[{extra}]')"
        ) from None
