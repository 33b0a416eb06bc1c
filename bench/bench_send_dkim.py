"""`digest send` of 10,000 with DKIM against a bare smtplib loop sending one pre-signed message.

The same measurement as bench/bench_send_e2e.py (same sink, same staged edition, the bare loop
run before and after the send), with a DKIM key configured: every message `digest send` sends
is signed (RSA-SHA256 with a 2048-bit key unless `--dkim ed25519`), while the baseline sends a
message signed once. Target (issue 22): a ratio of at least 0.8.

    .venv/bin/python bench/bench_send_dkim.py [--subscribers 10000] [--rounds 1] [--dkim rsa]
"""

from __future__ import annotations

import sys

from bench_send_e2e import main

if __name__ == "__main__":
    given = sys.argv[1:]
    defaults = [] if "--subscribers" in given else ["--subscribers", "10000"]
    main([*defaults, *([] if "--dkim" in given else ["--dkim", "rsa"]), *given])
