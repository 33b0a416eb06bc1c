"""Subscribers: the list, who receives an edition, and the signed links in every message.

What the rest may use: `load_subscribers` and `SubscriberList` (the CSV lists in
`[subscribers] dir`), `normalise_address`, `import_list` and `append_subscriber` (changing a
list file), `recipients` and `wants_any` (who gets an edition), `unsubscribe_token` and
`verify_token` (personal links).

Modules: `lists` (reading and writing the CSV files), `audience` (recipients of an edition),
`tokens` (link signatures).
"""

from digest.subscribers.audience import recipients, wants_any
from digest.subscribers.lists import (
    SubscriberList,
    append_subscriber,
    import_list,
    load_subscribers,
    normalise_address,
)
from digest.subscribers.tokens import unsubscribe_token, verify_token

__all__ = [
    "SubscriberList",
    "append_subscriber",
    "import_list",
    "load_subscribers",
    "normalise_address",
    "recipients",
    "unsubscribe_token",
    "verify_token",
    "wants_any",
]
