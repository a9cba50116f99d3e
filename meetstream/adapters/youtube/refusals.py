"""YouTube's answers that are not results: a refusal with its reason, and a transition already made."""

from __future__ import annotations

from meetstream.errors import YouTubeError


class RedundantTransition(YouTubeError):
    """The broadcast is already in (or moving to) the status asked for: success, not failure."""


class ApiRefusal(YouTubeError):
    """YouTube answered with an error; `.status` and `.reason` say which."""

    def __init__(self, message: str, *, status: int, reason: str | None, method: str):
        super().__init__(message)
        self.status, self.reason, self.method = status, reason, method
