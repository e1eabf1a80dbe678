"""Logging set-up: one line per event, key=value context, to standard error."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: str) -> None:
    """Send the service's logs to standard error at a level."""
    logging.basicConfig(level=level.upper(), format=FORMAT, force=True)
