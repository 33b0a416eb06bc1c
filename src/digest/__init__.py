"""digest: newsletter digests from feeds and web pages, delivered exactly once."""

from importlib.metadata import PackageNotFoundError, version

# The name on the package index: `pipx install digest-newsletter`.
DISTRIBUTION = "digest-newsletter"

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
