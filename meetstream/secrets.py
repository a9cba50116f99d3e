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
    return _from_keyring(keyring_name) if keyring_name is not None else None


def _from_keyring(name: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, name)
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


def keyring_name(kind: str, room: str | None = None) -> str:
    """The keyring entry meetstream reads for a secret: obs:<room>, graph:client_secret."""
    return f"obs:{room}" if kind == "obs" else "graph:client_secret"


def store_secret(name: str, value: str) -> str:
    """Put `value` in the OS keyring under `name`; returns the keyring's name for the officer.
    Refused (one line) where there is no usable keyring: the environment variable is the way then."""
    from meetstream.errors import ConfigError

    if not value or value != value.strip() or "\n" in value:
        raise ConfigError("the secret is empty or has spaces or a line break at an end: nothing stored")
    try:
        import keyring
        from keyring.errors import KeyringError

        backend = keyring.get_keyring()
        if getattr(backend, "priority", 1) <= 0:  # keyring's "fail" and "null" backends store nothing
            raise KeyringError(type(backend).__name__)
        keyring.set_password(KEYRING_SERVICE, name, value)
    except Exception as err:
        raise ConfigError(f"no usable OS keyring here ({type(err).__name__}): set the environment variable instead") from None
    register(value)
    return f"{type(backend).__module__.split('.')[-1]} keyring"


def secret_source(env_var: str, name: str | None) -> str:
    """Where a secret would come from now: 'environment', 'keyring' or 'not set'. Never the value."""
    if os.environ.get(env_var):
        return f"environment (${env_var})"
    return "keyring" if name is not None and _from_keyring(name) else "not set"
