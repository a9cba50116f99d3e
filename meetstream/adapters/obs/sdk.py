"""obsws-python, opened quietly: the connection and the event watch both open its client."""

from __future__ import annotations

import logging


def quiet_obsws() -> None:
    # Its INFO line carries the password; its ERROR lines carry tracebacks for ordinary refusals.
    logging.getLogger("obsws_python").setLevel(logging.CRITICAL + 1)
