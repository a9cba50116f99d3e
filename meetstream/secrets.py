"""Secrets come from the environment or the OS keyring, never from meetstream.yaml.

Anything that prints a secret goes through `redact`.
"""

from __future__ import annotations

import os

KEYRING_SERVICE = "meetstream"


def get_secret(env_var: str, keyring_name: str | None = None) -> str | None:
    """The secret from `env_var`, else from the keyring entry `keyring_name`, else None."""
    value = os.environ.get(env_var)
    if value:
        return value
    if keyring_name is None:
        return None
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_name)
    except Exception:  # no backend (headless Linux without Secret Service) means "not stored"
        return None


def redact(secret: str | None, keep: int = 4) -> str:
    """`abcd…` style: enough for an officer to tell two keys apart, never enough to use one."""
    if not secret:
        return "(none)"
    if len(secret) <= keep * 2:
        return "…"
    return secret[:keep] + "…"


_known: set[str] = set()


def register(secret: str | None) -> None:
    """Remember a secret so the logging filter can blank it wherever it turns up."""
    if secret and len(secret) >= 4:
        _known.add(secret)


def scrub(text: str) -> str:
    for secret in sorted(_known, key=len, reverse=True):
        text = text.replace(secret, "********")
    return text


class ScrubFilter:
    """A logging filter: formats the record once and blanks every registered secret in it."""

    def filter(self, record) -> bool:
        if _known:
            message = scrub(record.getMessage())
            record.msg, record.args = message, ()
            if record.exc_info and not record.exc_text:
                import logging

                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = scrub(record.exc_text)
        return True
