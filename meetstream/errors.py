"""The one exception tree. A MeetstreamError is a user error: the CLI prints it as one line."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2


class MeetstreamError(Exception):
    """Something the user can fix; the message says what and how."""

    exit_code = ExitCode.USAGE


class ConfigError(MeetstreamError):
    """meetstream.yaml, a scene set or another input file is wrong."""


class CalendarError(MeetstreamError):
    """Microsoft Graph refused or failed."""


class DeltaExpired(CalendarError):
    """The stored delta link is no longer valid (410, or a 40X syncStateNotFound/resyncRequired):
    a full resync is needed."""


class YouTubeError(MeetstreamError):
    """The YouTube Data API refused or failed."""


class StreamGone(YouTubeError):
    """YouTube no longer has the room's stream (deleted in YouTube Studio): make a new one."""


class BroadcastGone(YouTubeError):
    """YouTube no longer has the broadcast (deleted in YouTube Studio): `schedule` makes a new one."""


class ObsError(MeetstreamError):
    """OBS Studio is unreachable, refused a request, or is not in the state we asked for."""


class NotVerified(ObsError):
    """OBS did not end up in the state an action asked for (read back after the change)."""


class StateError(MeetstreamError):
    """The local state store is missing something or is in the wrong state."""


class StoreUnwritable(StateError):
    """The state store cannot be written (disk full, read-only): nothing may act until it can."""


class NotFound(StateError):
    """A name that matches nothing known: no such meeting, agenda item or member."""


class BadInput(StateError):
    """Input that cannot be used as given (ambiguous, empty, too long, malformed): say it again."""


class Refusal(StateError):
    """The rules refuse the action in the session's state (meetstream.core.rules.Refused, in `.refused`):
    a surface words it with its own names for the actions that help."""

    def __init__(self, refused):
        self.refused = refused
        super().__init__(refused.words("cli"))


class RoomTaken(Refusal):
    """Another meeting holds the room until it ends: nothing is done for this one."""

