"""Subscribers: the list and its lifecycle. The list lives in the state database; CSV files are
imported into it, sign-ups arrive from the web, and every change is an event.

What the rest may use: the names in `__all__`. Modules: `lists` (reading CSV files strictly,
`SubscriberList`), `importer` (CSV into the database, streaming), `export`, `lifecycle`
(status changes, preferences, pause, forget), `signup` (double opt-in, rate limits),
`audience` (who receives an edition), `tokens` (signed links), `settings` ([subscribers]),
`feedback` (bounces, complaints and unsubscribes reported after a send; [bounces]),
`webhook` (the provider webhook protocol, `receive`) with `hooks` (the registry) and one
module per provider (`hook_postmark`, `hook_sendgrid`, `hook_mailgun`, `hook_ses` over `sns`,
`hook_resend`), `mailbox` (a Maildir or mbox of returned mail, read with flufl.bounce).
"""

from digest.subscribers.audience import as_subscriber, recipients, wants_any
from digest.subscribers.export import export_file
from digest.subscribers.feedback import (
    BounceSettings,
    Feedback,
    Outcome,
    apply_feedback,
    bounce_settings_from_table,
)
from digest.subscribers.hooks import configured_webhooks
from digest.subscribers.importer import ImportReport, import_file, import_folder, validate_files
from digest.subscribers.lifecycle import (
    INACTIVE,
    add_subscriber,
    change_address,
    describe_sections,
    forget,
    moved_address,
    pause,
    reconcile_suppressions,
    record_complaint,
    resubscribe,
    save_preferences,
    unsubscribe,
)
from digest.subscribers.lists import (
    COLUMNS,
    FREQUENCIES,
    CsvRow,
    SubscriberList,
    check_timezone,
    csv_files,
    load_subscribers,
    normalise_address,
    read_csv,
)
from digest.subscribers.mailbox import RESULTS as MAILBOX_RESULTS
from digest.subscribers.mailbox import Returned, process_mailbox
from digest.subscribers.settings import SubscriberSettings, subscriber_settings_from_table
from digest.subscribers.signup import (
    Confirmation,
    SignUp,
    check_confirmation,
    confirm,
    link_request,
    sign_up,
)
from digest.subscribers.tokens import (
    address_change,
    address_token,
    confirm_nonce,
    confirm_token,
    link_token,
    link_uid,
    list_key,
    unsubscribe_token,
    verify_token,
)
from digest.subscribers.webhook import (
    MAX_BODY,
    Fetch,
    Receipt,
    Webhook,
    WebhookRequest,
    receive,
)

__all__ = [
    "COLUMNS",
    "FREQUENCIES",
    "INACTIVE",
    "MAILBOX_RESULTS",
    "MAX_BODY",
    "BounceSettings",
    "Confirmation",
    "CsvRow",
    "Feedback",
    "Fetch",
    "ImportReport",
    "Outcome",
    "Receipt",
    "Returned",
    "SignUp",
    "SubscriberList",
    "SubscriberSettings",
    "Webhook",
    "WebhookRequest",
    "add_subscriber",
    "address_change",
    "address_token",
    "apply_feedback",
    "as_subscriber",
    "bounce_settings_from_table",
    "change_address",
    "check_confirmation",
    "check_timezone",
    "configured_webhooks",
    "confirm",
    "confirm_nonce",
    "confirm_token",
    "csv_files",
    "describe_sections",
    "export_file",
    "forget",
    "import_file",
    "import_folder",
    "link_request",
    "link_token",
    "link_uid",
    "list_key",
    "load_subscribers",
    "moved_address",
    "normalise_address",
    "pause",
    "process_mailbox",
    "read_csv",
    "receive",
    "recipients",
    "reconcile_suppressions",
    "record_complaint",
    "resubscribe",
    "save_preferences",
    "sign_up",
    "subscriber_settings_from_table",
    "unsubscribe",
    "unsubscribe_token",
    "validate_files",
    "verify_token",
    "wants_any",
]
