"""digest: newsletter digests from feeds and web pages, delivered exactly once."""

__version__ = "0.1.0"
