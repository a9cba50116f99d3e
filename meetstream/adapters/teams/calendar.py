"""Reading the committee calendar: calendarView (a window, $select, paged) and calendarView/delta.

`open_calendar(settings, state_path)` builds it from settings (msal sign-in, the HTTP client);
`open_sandbox_calendar` points it at a running Graph simulator instead.

The calendar is one of: a user's or shared mailbox's default calendar (`calendar.mailbox`), a
named calendar in it (`calendar.calendar_id`), a group calendar (`calendar.group`), or the
signed-in officer's own calendar (none of those set).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from meetstream.errors import ConfigError
from meetstream.adapters.teams.events import NEEDED, SELECT, event_to_meeting, is_webcast, subject_of
from meetstream.adapters.teams.http import GraphClient, error_message
from meetstream.ports import CalendarChange, EventContext
from meetstream.core.timefmt import utc_text

# Times in UTC, bodies as HTML (the agenda parser reads lists best from HTML).
PREFER_UTC = 'outlook.timezone="UTC", outlook.body-content-type="html"'


@dataclass
class DeltaRound:
    events: list[dict]  # changed or new events, and {"id", "@removed"} entries
    delta_link: str
    pages: int


class GraphCalendar:
    def __init__(self, client: GraphClient, cfg):
        self.client = client
        self.cfg = cfg
        if cfg.group and cfg.mailbox:
            raise ConfigError("calendar: set either `mailbox` (with an optional `calendar_id`) or `group`, not both")
        if cfg.calendar_id and not cfg.mailbox:
            raise ConfigError("calendar.calendar_id needs calendar.mailbox (whose calendar it is)")
        if cfg.app_only and not (cfg.mailbox or cfg.group):
            raise ConfigError("calendar.app_only needs calendar.mailbox or calendar.group (app-only sign-in has no /me)")

    @property
    def owner(self) -> str:
        if self.cfg.group:
            return f"groups/{quote(self.cfg.group, safe='@')}"
        if self.cfg.mailbox:
            return f"users/{quote(self.cfg.mailbox, safe='@')}"
        return "me"

    @property
    def view_path(self) -> str:
        if self.cfg.group:
            return f"{self.owner}/calendar/calendarView"
        if self.cfg.calendar_id:
            return f"{self.owner}/calendars/{quote(self.cfg.calendar_id, safe='')}/calendarView"
        return f"{self.owner}/calendarView"

    @property
    def has_delta(self) -> bool:
        """Whether Graph tracks changes on this calendar. event-delta (v1.0) documents
        calendarView/delta for /me and /users/{id} only: a group calendar is read whole each time."""
        return not self.cfg.group

    @property
    def source_key(self) -> str:
        """Names this calendar in the store (delta links, which events came from where)."""
        return self.view_path.rsplit("/calendarView", 1)[0]

    def event_path(self, event_id: str) -> str:
        base = f"{self.owner}/calendar" if self.cfg.group else self.owner
        return f"{base}/events/{quote(event_id, safe='=')}"

    @property
    def mail_path(self) -> str:
        # Group calendars have no mailbox to send from: the signed-in officer sends.
        return f"users/{quote(self.cfg.mailbox, safe='@')}/sendMail" if self.cfg.mailbox else "me/sendMail"

    def headers(self, page_size: int | None = None) -> dict:
        h = {"Prefer": PREFER_UTC}
        if page_size:
            h["Prefer"] += f", odata.maxpagesize={page_size}"
        return h

    def view(self, start: datetime, end: datetime, page_size: int = 100) -> tuple[list[dict], int]:
        """Every event (occurrences expanded) overlapping [start, end), only the fields we use."""
        params = {"startDateTime": utc_text(start), "endDateTime": utc_text(end), "$select": SELECT, "$top": str(page_size)}
        events, pages = [], 0
        for page in self.client.pages(self.view_path, params=params, headers=self.headers()):
            pages += 1
            events.extend(page.get("value", []))
        return events, pages

    def delta(self, *, start: datetime | None = None, end: datetime | None = None, link: str | None = None,
              page_size: int = 100) -> DeltaRound:
        """One round of calendarView/delta: from a stored delta link, or a new round for a window.

        Delta takes no $select (Graph refuses it), so whole events come back. The round is read
        to its end before anything is stored: a failure part-way keeps the old link.
        """
        if link is None:
            params = {"startDateTime": utc_text(start), "endDateTime": utc_text(end)}
            first = self.view_path + "/delta"
        else:
            params, first = None, link
        events: list[dict] = []
        pages = 0
        delta_link = None
        for page in self.client.pages(first, params=params, headers=self.headers(page_size)):
            pages += 1
            events.extend(page.get("value", []))
            delta_link = page.get("@odata.deltaLink") or delta_link
        if not delta_link:
            from meetstream.errors import CalendarError

            raise CalendarError("Graph ended a delta round without a delta link; run `meetstream calendar sync` again")
        return DeltaRound(events, delta_link, pages)

    def get_event(self, event_id: str, select: str | None = SELECT) -> dict:
        params = {"$select": select} if select else None
        return self.client.get(self.event_path(event_id), params=params, headers=self.headers())

    def get_events(self, event_ids: list[str], select: str = SELECT) -> dict[str, dict]:
        """Many events read whole through $batch (20 to a request): {id: {"status", "body"}}."""
        from urllib.parse import quote as q

        reqs, ids = [], {}
        for i, event_id in enumerate(dict.fromkeys(event_ids)):
            ids[str(i + 1)] = event_id
            reqs.append({"id": str(i + 1), "method": "GET",
                         "url": f"/{self.event_path(event_id)}?$select={q(select, safe=',')}",
                         "headers": self.headers()})
        if not reqs:
            return {}
        return {ids[rid]: result for rid, result in self.client.batch(reqs).items() if rid in ids}

    def patch_event(self, event_id: str, body: dict) -> dict:
        return self.client.patch(self.event_path(event_id), body, headers=self.headers())

    def requests_made(self) -> tuple[int, int]:
        return self.client.counters.requests, self.client.counters.retries

    def changes(self, events: list[dict], ctx: EventContext) -> list[CalendarChange]:
        """A round's events as the sync needs them (meetstream.ports.CalendarChange), in order.

        A delta item for an updated event carries "at least the properties that have been
        updated" (delta-query-overview): one missing anything a meeting is made of is read whole
        first, in $batch requests of 20. Graph's {"id", "@removed"} entries are removals; a series
        master is not a meeting (calendarView gives its occurrences); a bad event is skipped with
        a warning, never stopping the sync."""
        partial = [ev["id"] for ev in events
                   if isinstance(ev, dict) and "@removed" not in ev and ev.get("id") and not all(k in ev for k in NEEDED)]
        reread = self.get_events(partial) if partial else {}
        out: list[CalendarChange] = []
        for ev in events:
            if isinstance(ev, dict) and ev.get("id") in reread:
                r = reread[ev["id"]]
                if r["status"] == 200 and isinstance(r["body"], dict) and r["body"].get("id"):
                    ev = r["body"]
                else:
                    why = error_message(r["status"], r["body"])[0]
                    if r["status"] == 404:  # gone since the round was read: the next round says @removed
                        out.append(CalendarChange("skipped", ev["id"], warning=f"event {ev['id'][:12]}…: could not be read ({why})"))
                    else:
                        out.append(CalendarChange("unread", ev["id"], warning=f"event {ev['id'][:12]}…: could not be read "
                                                                               f"({why}); it is read again next sync"))
                    continue
            out.append(_change(ev, ctx))
        return out

    def ensure_teams_meeting(self, event_id: str) -> tuple[str, bool]:
        """(the event's Teams join URL, created now?): made only when Graph has none for it."""
        from meetstream.adapters.teams.onlinemeeting import ensure_teams_meeting

        return ensure_teams_meeting(self, event_id)

    def send_letters(self, letters: list, on_sent: Callable[[str], None] | None = None) -> dict[str, str | None]:
        """Each letter (meetstream.core.domain.Letter) through sendMail, in $batch; {address: None
        if sent, else why not}; `on_sent(address)` the moment Graph accepts one."""
        from meetstream.adapters.teams.mail import send_letters

        return send_letters(self.client, self.mail_path, letters, on_sent=on_sent)


def _change(ev, ctx: EventContext) -> CalendarChange:
    if not isinstance(ev, dict) or not ev.get("id"):
        return CalendarChange("skipped", warning="Graph sent an event without an id; skipped")
    if "@removed" in ev:
        return CalendarChange("removed", ev["id"])
    if ev.get("type") == "seriesMaster":
        return CalendarChange("ignored", ev["id"])
    if not is_webcast(ev, ctx):
        return CalendarChange("not_webcast", ev["id"])
    try:
        meeting = event_to_meeting(ev, ctx)
    except Exception as err:  # never crash the sync on one event
        return CalendarChange("skipped", ev["id"], warning=f"{subject_of(ev) or ev['id'][:12] + '…'}: skipped: {err}")
    return CalendarChange("meeting", ev["id"], meeting=meeting, change_key=ev.get("changeKey"))


def open_calendar(settings, state_path: Path | None, *, sleep: Callable[[float], None] | None = None,
                  cache_path: Path | None = None) -> GraphCalendar:
    """The configured calendar from settings: msal sign-in (its token cache beside the state store,
    unless `cache_path` says otherwise), the Graph HTTP client, and the calendar it reads."""
    from meetstream.adapters.teams.auth import GraphAuth, token_cache_path

    cfg = settings.calendar
    auth = GraphAuth(cfg, cache_path or token_cache_path(state_path))
    kw = {"sleep": sleep} if sleep is not None else {}
    return GraphCalendar(GraphClient(cfg.graph_url, auth.token, **kw), cfg)


def open_sandbox_calendar(settings, sim, state_path: Path | None):
    """(settings pointing at a running Graph simulator, its calendar, signed in): for rehearsal.

    The simulator's tokens go in a cache of their own beside the state store, never in the real
    Microsoft token cache. Run the simulator with device_interval=0 (its device code is approved
    at once).
    """
    from meetstream.adapters.teams.auth import GraphAuth, token_cache_path

    cfg = settings.calendar.model_copy(update=sim.calendar_settings())
    settings = settings.model_copy(update={"calendar": cfg})
    cache = token_cache_path(state_path).with_name("msal-sandbox-cache.bin")
    GraphAuth(cfg, cache).sign_in_device(lambda message: None)
    return settings, open_calendar(settings, state_path, cache_path=cache)
