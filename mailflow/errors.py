"""One error tree for mailflow.

    MailflowError
    ├── TheirFault        the message is bad: quarantine it, log why, carry on with the batch
    │   └── BadMessage    cannot be parsed within the limits (size, depth, headers, parts, time)
    ├── OurFault          configuration or programming error: stop, exit non-zero, say how to fix
    │   ├── ConfigError   a bad or missing configuration key (the message names the key)
    │   └── AuthFailure   the IMAP or SMTP server refused our credentials (or OAuth2 token)
    └── TransportError    IMAP/SMTP trouble: retry later with backoff
        ├── TemporaryFailure   4xx, timeouts, dropped connections before the data was accepted
        ├── PermanentFailure   5xx: record as failed, report, never retry in a loop
        └── AmbiguousFailure   the connection was lost after the final dot: search Sent first

"Not for us" outcomes (an auto-reply, an unauthorised sender, no meeting found) are returned
values with a reason, never exceptions. Each error carries the CLI exit code it maps to.
"""

from __future__ import annotations


class MailflowError(Exception):
    exit_code = 1


class TheirFault(MailflowError):
    exit_code = 65  # EX_DATAERR


class BadMessage(TheirFault):
    pass


class OurFault(MailflowError):
    exit_code = 70  # EX_SOFTWARE


class ConfigError(OurFault):
    exit_code = 78  # EX_CONFIG


class AuthFailure(OurFault):
    """The server refused our credentials: the configuration (or the token) must be fixed."""

    exit_code = 77  # EX_NOPERM


class TransportError(MailflowError):
    exit_code = 75  # EX_TEMPFAIL


class TemporaryFailure(TransportError):
    pass


class PermanentFailure(TransportError):
    exit_code = 69  # EX_UNAVAILABLE


class AmbiguousFailure(TransportError):
    pass
