"""The officer's full-screen live console (Textual).

It is a view over the LiveSession and the Watchdog: keys call session actions (the same ones
`meetstream cue` calls), and once a second it reloads the session from the store, so a cue sent
from a Stream Deck shows here too, and runs the watchdog.
"""

from __future__ import annotations

import time
from typing import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, Static

from meetstream.domain import SessionState
from meetstream.errors import MeetstreamError

from meetstream.control.words import BANNERS as BANNER  # noqa: E402  (one table for every surface)


class Confirm(ModalScreen[bool]):
    """Going private, returning to public and ending each ask first: y/n or the buttons."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, id="question")
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class LiveConsole(App):
    CSS = """
    #banner { height: 5; content-align: center middle; text-style: bold; color: white; }
    #body { height: 1fr; }
    #agenda { width: 2fr; border: round $primary; padding: 0 1; }
    #members { width: 1fr; border: round $primary; padding: 0 1; }
    #side { width: 1fr; }
    #health, #actions { border: round $secondary; padding: 0 1; height: 1fr; }
    #message { height: 1; padding: 0 1; }
    #confirm { width: 60; height: 9; border: thick $error; background: $surface; padding: 1 2; align: center middle; }
    Confirm { align: center middle; }
    """

    BINDINGS = [
        Binding("n", "cue('next_item')", "Next item"),
        Binding("p", "cue('prev_item')", "Prev item"),
        Binding("c", "cue('chamber')", "Chamber"),
        Binding("g", "cue('gallery')", "Gallery"),
        Binding("a", "cue('agenda_card')", "Agenda card"),
        Binding("h", "cue('holding')", "Holding"),
        Binding("x", "private", "PRIVATE"),
        Binding("u", "public", "Public"),
        Binding("r", "cue('recess')", "Recess"),
        Binding("s", "cue('resume')", "Resume"),
        Binding("e", "end", "End"),
        Binding("q", "quit", "Quit console"),
    ] + [Binding(str(k), f"speaker({k})", show=False) for k in range(1, 10)]

    def __init__(self, session, watchdog=None, *, on_end: Callable[[], str] | None = None,
                 refresh_every: float = 1.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.session, self.watchdog, self.on_end = session, watchdog, on_end
        self.refresh_every, self.clock = refresh_every, clock
        self.started = clock()
        self.last_health = None
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Static(id="banner")
        with Horizontal(id="body"):
            yield Static(id="agenda")
            yield Static(id="members")
            with Vertical(id="side"):
                yield Static(id="health")
                yield Static(id="actions")
        yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.session.meeting.committee if self.session.meeting else f"Room {self.session.room}"
        self.render_all()
        self.set_interval(self.refresh_every, self.tick)

    # --- refresh ------------------------------------------------------------------------------

    def tick(self) -> None:
        self.session.reload()
        if self.watchdog is not None:
            self.last_health = self.watchdog.tick()
        if self.is_running and self.screen.query("#banner"):
            # Textual 8 can fire a last interval while the app is tearing its screen down.
            self.render_all()

    def render_all(self) -> None:
        s = self.session
        text, colour = BANNER[s.state]
        banner = self.query_one("#banner", Static)
        banner.update(text)
        banner.styles.background = colour

        lines = ["[b]Agenda[/b]"]
        for it in (s.meeting.agenda if s.meeting else ()):
            mark = "▶" if it.number == s.item_number else " "
            title = f"{it.number}. {it.title}" + ("  [magenta](exempt)[/]" if it.exempt else "")
            lines.append(f"{mark} {'[b]' + title + '[/b]' if mark == '▶' else title}")
        self.query_one("#agenda", Static).update("\n".join(lines))

        mlines = ["[b]Members[/b] (key: speaker)"]
        for key, m in enumerate((s.meeting.members if s.meeting else ())[:9], start=1):
            here = "▶" if s.speaker_name == m.display_name() else " "
            mlines.append(f"{here} [b]{key}[/b] {m.display_name()}" + (f", {m.role}" if m.role else ""))
        self.query_one("#members", Static).update("\n".join(mlines))

        elapsed = int(self.clock() - self.started)
        hl = [f"[b]Health[/b]  elapsed {elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"]
        h = self.last_health
        if h is not None:
            hl.append(f"OBS stream: {'LIVE' if h.streaming else 'off'}" + (" (reconnecting)" if h.reconnecting else ""))
            if h.kbps is not None:
                hl.append(f"bitrate {h.kbps:,.0f} kb/s")
            hl.append(f"dropped frames {h.skipped_frames} of {h.total_frames}")
            hl.append(f"program: {h.program_scene}")
            hl.append(f"YouTube: {h.youtube or 'not checked yet'}")
            hl += [f"[red]{p}[/]" for p in h.problems]
        self.query_one("#health", Static).update("\n".join(hl))

        recent = s.store.timeline(s.timeline_id)[-8:]
        alines = ["[b]Last actions[/b]"] + [f"{e.at:%H:%M:%S} {e.kind}" + (f" {e.item_number}" if e.item_number else "") for e in reversed(recent)]
        self.query_one("#actions", Static).update("\n".join(alines))
        self.query_one("#message", Static).update(self.message)

    # --- actions ------------------------------------------------------------------------------

    def _run(self, fn, *args) -> None:
        try:
            fn(*args)
            self.message = ""
        except MeetstreamError as err:
            self.message = f"[red]{err}[/]"
            self.bell()
        self.render_all()

    def action_cue(self, method: str) -> None:
        self._run(getattr(self.session, method))

    def action_speaker(self, key: int) -> None:
        members = self.session.meeting.members if self.session.meeting else ()
        if 1 <= key <= len(members):
            self._run(self.session.speaker, members[key - 1].name)

    def _confirmed(self, question: str, then: Callable[[], None]) -> None:
        self.push_screen(Confirm(question), lambda yes: then() if yes else None)

    def action_private(self) -> None:
        self._confirmed("Go PRIVATE? The public will be excluded and every microphone muted.",
                        lambda: self._run(self.session.private))

    def action_public(self) -> None:
        self._confirmed("Readmit the public? The chamber goes back ON AIR with microphones live.",
                        lambda: self._run(self.session.public))

    def action_end(self) -> None:
        self._confirmed("End the meeting? Closing slate, broadcast completed, output stopped.", self._end)

    def _end(self) -> None:
        if self.on_end is None:
            self._run(self.session.adjourn)
            return
        try:
            self.message = self.on_end()
        except MeetstreamError as err:
            self.message = f"[red]{err}[/]"
        self.render_all()
