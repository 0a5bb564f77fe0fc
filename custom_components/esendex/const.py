"""Constants for the Esendex SMS integration."""

from typing import Final

DOMAIN: Final = "esendex"
DEFAULT_TITLE: Final = "Esendex SMS"

CONF_ACCOUNT_ID: Final = "account_id"
CONF_CLOUDHOOK: Final = "cloudhook"
CONF_REGENERATE_URL: Final = "regenerate_url"

EVENT_INBOUND_MESSAGE: Final = "esendex_inbound_message"
EVENT_MESSAGE_DELIVERED: Final = "esendex_message_delivered"
EVENT_MESSAGE_FAILED: Final = "esendex_message_failed"
EVENT_OPTED_OUT: Final = "esendex_opted_out"
EVENT_MESSAGE_VERIFIED: Final = "esendex_message_verified"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_NOTIFICATION_ID: Final = "notification_id"
ATTR_MESSAGE_ID: Final = "message_id"
ATTR_ACCOUNT_ID: Final = "account_id"
ATTR_FROM: Final = "from"
# The contact's name for the other party's number, or None.
ATTR_CONTACT: Final = "contact"
# Whether Esendex has the pushed SMS: True, False, or None (not known).
ATTR_VERIFIED: Final = "verified"
ATTR_TO: Final = "to"
ATTR_TEXT: Final = "text"
ATTR_RECEIVED_AT: Final = "received_at"
ATTR_OCCURRED_AT: Final = "occurred_at"
ATTR_FAILURE_CODE: Final = "failure_code"
ATTR_FAILURE_DETAIL: Final = "failure_detail"
ATTR_FAILURE_PERMANENT: Final = "failure_permanent"
# Present, and true, on an SMS caught up with the inbox summary for its text.
ATTR_TEXT_IS_SUMMARY: Final = "text_is_summary"

STATUS_DELIVERED: Final = "delivered"
STATUS_FAILED: Final = "failed"

# Esendex retries for 72 hours; keep ids a day longer so a retry that arrives at the
# very end of that window is still recognised, whatever the clocks say.
SEEN_RETENTION_SECONDS: Final = 96 * 3600
SEEN_MAX_IDS: Final = 25_000
# Delayed Store saves: at most one disk write per this many seconds, however busy.
SEEN_SAVE_DELAY_SECONDS: Final = 10

# API access (optional): credentials live in the entry's data.
CONF_ACCOUNT_REFERENCE: Final = "account_reference"
CONF_DEFAULT_RECIPIENT: Final = "default_recipient"

ATTR_RECIPIENT: Final = "recipient"
ATTR_SENT_AT: Final = "sent_at"
ATTR_MESSAGE: Final = "message"
ATTR_ORIGINATOR: Final = "from"
ATTR_VALIDITY: Final = "validity"
ATTR_MESSAGES: Final = "messages"

SERVICE_SEND_SMS: Final = "send_sms"

# Sent messages are remembered to match their delivery receipts, which Esendex can
# send days later (the validity of a message is at most 72 hours).
SENT_RETENTION_SECONDS: Final = 7 * 24 * 3600
SENT_MAX_MESSAGES: Final = 5_000
# The credits are read every so often (and after each send).
CREDITS_REFRESH_MINUTES: Final = 30
# Inbox catch-up after setup and every so often; bounded in pages per run.
CATCH_UP_INTERVAL_MINUTES: Final = 30
CATCH_UP_PAGE_SIZE: Final = 50
CATCH_UP_MAX_PAGES: Final = 10
# Runs in which an inbox message's full text is tried before its summary is used.
CATCH_UP_BODY_ATTEMPTS: Final = 3
