"""Old home of the calendar service, kept for one release: import from meetstream.meetings instead.

    sync_calendar, sync_sandbox        -> meetstream.meetings.sync
    resolve_meeting, short_ref         -> meetstream.meetings.lookup (or meetstream.meetings)
    open_calendar                      -> meetstream.teams.calendar
"""

from meetstream.meetings.lookup import resolve_meeting, short_ref
from meetstream.meetings.sync import REMOVED_WARNING, SyncSummary, sync_calendar, sync_sandbox
from meetstream.teams.calendar import open_calendar

__all__ = ["REMOVED_WARNING", "SyncSummary", "open_calendar", "resolve_meeting", "short_ref", "sync_calendar", "sync_sandbox"]
