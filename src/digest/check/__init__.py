"""Check stage: the pre-send quality gate, run on one complete message as a subscriber gets it.

What the rest may use: `check_message` (one CheckResult per check), `CheckResult`,
`gate_passed`, `link_problem`.

Modules: `gate` (the checks and their verdicts; links to #anchors are a warning), `images`
(alt, https and size of every image; their weight with the links), `result` (one line of the
table), `html` (facts read from the HTML), `css` (CSS support per client, from
`css_support.json`, derived from caniemail), `spam` (SpamAssassin, when installed).
"""

from digest.check.gate import check_message, gate_passed, link_problem
from digest.check.result import CheckResult

__all__ = ["CheckResult", "check_message", "gate_passed", "link_problem"]
