"""digest: newsletter digests from feeds and web pages, delivered exactly once."""

from __future__ import annotations

# The name on the package index: `pipx install digest-newsletter`.
DISTRIBUTION = "digest-newsletter"


def __getattr__(name: str) -> str:
    """`__version__`, looked up when asked for: `importlib.metadata` and the lookup cost
    every process that imports any part of digest ~0.1 s (each send process too)."""
    if name != "__version__":
        raise AttributeError(f"module 'digest' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
