"""`teams create`: make a calendar event a Teams meeting, and read back its join link.

PATCHing the event (isOnlineMeeting, teamsForBusiness) keeps the link on the calendar invitation
members already have; POST /onlineMeetings would make a link that no invitation carries.
"""

from __future__ import annotations

from meetstream.errors import CalendarError


def ensure_teams_meeting(cal, event_id: str, *, attempts: int = 5, sleep=None) -> tuple[str, bool]:
    """(the event's Teams join URL, created now?): the Teams meeting is made only if the event has
    none in Graph. Idempotent."""
    import time

    sleep = sleep or time.sleep
    current = cal.get_event(event_id, select="id,isOnlineMeeting,onlineMeeting,onlineMeetingProvider")
    url = ((current or {}).get("onlineMeeting") or {}).get("joinUrl")
    if url:
        return url, False
    patched = cal.patch_event(event_id, {"isOnlineMeeting": True, "onlineMeetingProvider": "teamsForBusiness"})
    url = ((patched or {}).get("onlineMeeting") or {}).get("joinUrl")
    for i in range(attempts):
        if url:
            return url, True
        # The Teams meeting is made asynchronously: the PATCH answer may not carry the link yet.
        sleep(min(0.5 * (2**i), 4))
        again = cal.get_event(event_id, select="id,onlineMeeting")
        url = ((again or {}).get("onlineMeeting") or {}).get("joinUrl")
    if url:
        return url, True
    raise CalendarError("Graph made the event a Teams meeting but has not returned its join link yet; "
                        "run `meetstream teams create` again in a minute")
