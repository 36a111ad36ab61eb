"""mailflow: an e-mail driven meeting recap and follow-up assistant.

The package is a pure core (letters -> notes -> meetings -> plans -> drafts: data in, data out,
no I/O, no clock) and a thin shell (config, imap, smtp, store, runner, watch, cli).
"""

__version__ = "0.1.0"
