"""The officer's full-screen live console (Textual): a surface of the room's control.

It holds no session of its own. It shows what the room's control reports (`state()`) and sends
the officer's keys to it (`act()`): the control is `meetstream serve`'s API when a server runs
for the room (meetstream.entrypoints.http.remote), or the same RoomControl run in this process when none
does. Everything that can block (an action, a state read) runs on a worker thread, so the screen
never freezes on OBS, YouTube or a full disk.

Safety, as on every surface: private, public and end ask first, and public and end default to
No; the control is asked whether an action would be refused *before* the question is shown;
refusals name the console's keys.
"""

from __future__ import annotations

import time
from typing import Callable

from meetstream.core.actions import ACTIONS as ACTION_TABLE, BY_NAME
from meetstream.core.rules import Refused
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Label, Static

def escape(text) -> str:
    """Data as Textual markup that shows it as written. Textual's parser (not Rich's) reads a lone
    "[" as the start of a tag, so every "[" is escaped, not only the ones that look like tags."""
    return str(text).replace("[", "\\[")


def refusal_words(outcome) -> str:
    """What went wrong, naming the console's keys where a refusal names an action that helps."""
    return escape(outcome.words("console"))


def _bindings() -> list[Binding]:
    """The table's actions with a key (meetstream.core.actions): asked first when they have a question;
    the vote opens its form."""
    out = []
    for a in ACTION_TABLE:
        if a.key is None or "console" not in a.surfaces:
            continue
        if a.resolves:
            do = f"resolve('{a.name}')"
        else:
            do = "vote" if a.options else (f"ask('{a.name}')" if a.confirm else f"cue('{a.name}')")
        out.append(Binding(a.key, do, a.label))
    return out


class Confirm(ModalScreen[bool]):
    """A question with Yes and No. `default_no`: Enter answers No (the focused button)."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, *, default_no: bool):
        super().__init__()
        self.question, self.default_no = question, default_no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, id="question")
            yield Label("Enter = " + ("No" if self.default_no else "Yes") + "   y = Yes   n/Esc = No", id="hint")
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no" if self.default_no else "#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class FieldsForm(ModalScreen[dict | None]):
    """A form of text fields, `prefix`-name ids: Tab or Enter moves on, Enter on the last field
    submits `collect(values by field name)`, Esc cancels. A refusal comes back as `error`, with
    what was typed filled in again."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    prefix = "form"
    hint = "Enter on the last field goes on · Tab next field · Esc cancels"

    def __init__(self, title: str, fields: list[tuple[str, str, str]], error: str = ""):
        """`fields`: (name, value, placeholder), top to bottom."""
        super().__init__()
        self.heading, self.form_fields, self.error = title, fields, error

    def compose(self) -> ComposeResult:
        with Vertical(id="vote-form"):
            yield Label(escape(self.heading), id=f"{self.prefix}-title")
            for name, value, placeholder in self.form_fields:
                yield Input(value=value, placeholder=placeholder, id=f"{self.prefix}-{name}")
            yield Label(escape(self.error), id="vote-error")
            yield Label(self.hint, id="hint")

    def on_mount(self) -> None:
        self.query_one(f"#{self.prefix}-{self.form_fields[0][0]}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id != f"{self.prefix}-{self.form_fields[-1][0]}":
            self.focus_next()
            return
        self.dismiss(self.collect({name: self.query_one(f"#{self.prefix}-{name}", Input).value.strip() for name, _, _ in self.form_fields}))

    def collect(self, values: dict[str, str]) -> dict:
        return values

    def action_cancel(self) -> None:
        self.dismiss(None)


class VoteForm(FieldsForm):
    """Record a vote on the current item: the motion, the counts, the result, and named votes if
    any ("Jane Smith=for, Khan=against"). Enter in the last field records it; Esc cancels. A vote
    the control refuses as bad input comes back here with what was typed and the reason."""

    prefix = "vote"
    hint = "Enter on the last field records it · Tab next field · Esc cancels"
    FIELDS = (("motion", "Motion voted on"), ("for", "For (a number)"), ("against", "Against (a number)"),
              ("abstain", "Abstain (a number, 0 if none)"), ("result", "Result: carried, lost, carried_casting, lost_casting"),
              ("named", "Named votes, optional: Jane Smith=for, Khan=against"))

    def __init__(self, item: str, values: dict | None = None, error: str = ""):
        values = values or {}

        def shown(name: str) -> str:
            value = values.get(name, "")
            return ", ".join(value) if name == "named" and isinstance(value, list) else str(value)

        super().__init__(f"Record a vote on item {item}", [(name, shown(name), hint) for name, hint in self.FIELDS], error)
        self.item, self.values = item, values

    def collect(self, values: dict[str, str]) -> dict:
        named = [p.strip() for p in values.pop("named").split(",") if p.strip()]
        return values | ({"named": named} if named else {})


class ResolutionForm(FieldsForm):
    """A resolution of the meeting (meetstream.core.actions rows with `resolves`): the items (the
    current one filled in) and the action's own fields (the Schedule 12A paragraph; why the
    meeting stays public). Enter in the last field goes on to the action's question; Esc cancels."""

    prefix = "resolution"

    def __init__(self, action: str, items: str, error: str = "", values: dict | None = None):
        a, values = BY_NAME[action], values or {}
        super().__init__(a.help, [("items", values.get(a.arg, items), a.arg_help)]
                         + [(o.field, str(values.get(o.field, "")), o.help) for o in a.options], error)
        self.action, self.items, self.values = a, items, values

    def collect(self, values: dict[str, str]) -> dict:
        body = {self.action.arg: values.pop("items")}
        for o in self.action.options:
            if values[o.field] or o.default is None:
                body[o.field] = values[o.field]
        return body


class LiveConsole(App):
    AUTO_FOCUS = None  # keys are actions: nothing is typed into until / or o asks for it
    CSS = """
    #banner { height: 5; content-align: center middle; text-style: bold; color: white; }
    #body { height: 1fr; }
    #agenda { width: 2fr; border: round $primary; padding: 0 1; }
    #people { width: 1fr; }
    #members { border: round $primary; padding: 0 1; height: 1fr; }
    #side { width: 1fr; }
    #health, #actions { border: round $secondary; padding: 0 1; height: 1fr; }
    #message { height: auto; min-height: 2; max-height: 14; padding: 0 1; }
    #confirm { width: 64; height: 11; border: thick $error; background: $surface; padding: 1 2; align: center middle; }
    Confirm { align: center middle; }
    VoteForm { align: center middle; }
    #vote-form { width: 80; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    #vote-error { color: $error; }
    """

    BINDINGS = _bindings() + [
        Binding("slash", "find_member", "Find speaker"),
        Binding("o", "oneoff", "One-off speaker"),
        Binding("q", "quit", "Quit console"),
    ] + [Binding(str(k), f"speaker_key({k})", show=False) for k in range(1, 10)]

    def __init__(self, control, *, refresh_every: float = 1.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.control, self.refresh_every, self.clock = control, refresh_every, clock
        self.started = clock()
        self.state: dict | None = None
        self.message = ""
        self.busy = 0  # actions in flight (tests wait for 0)

    def compose(self) -> ComposeResult:
        yield Static(id="banner")
        with Horizontal(id="body"):
            yield Static(id="agenda")
            with Vertical(id="people"):
                yield Input(placeholder="/ find a member (type, Tab completes, Enter)", id="find")
                yield Input(placeholder="o one-off speaker: name, role (Enter)", id="oneoff")
                yield Static(id="members")
            with Vertical(id="side"):
                yield Static(id="health")
                yield Static(id="actions")
        yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(self.refresh_every, self.refresh_state)

    # --- reading ------------------------------------------------------------------------------

    def refresh_state(self) -> None:
        self.run_worker(self._fetch, thread=True, group="state", exclusive=True, exit_on_error=False)

    def _fetch(self) -> None:
        try:
            state = self.control.state()
        except Exception as err:  # the server went away: say so, keep the last picture
            self.call_from_thread(self._lost, str(err))
            return
        self.call_from_thread(self._show, state)

    def _lost(self, why: str) -> None:
        self.message = f"[red]Lost the room's control: {escape(str(why))}. Retrying…[/]"
        self.render_all()

    def _show(self, state: dict) -> None:
        first = self.state is None
        self.state = state
        if first or self.query_one("#find", Input).suggester is None:
            names = [m["display"] for m in state["members"]] + [m["name"] for m in state["members"]]
            self.query_one("#find", Input).suggester = SuggestFromList(names, case_sensitive=False)
        self.render_all()

    def render_all(self) -> None:
        if not self.is_running or not self.screen.query("#banner"):
            return  # Textual 8 can fire a last interval while the app tears its screen down
        s = self.state
        banner = self.query_one("#banner", Static)
        if s is None:
            banner.update("CONNECTING…")
            self.query_one("#message", Static).update(self.message)
            return
        banner.update(escape(s["banner"]))
        banner.styles.background = s["colour"]
        meeting = s["meeting"]
        self.title = meeting["committee"] if meeting else f"Room {s['room']}"

        lines = ["[b]Agenda[/b]"]
        for it in s["agenda"]:
            mark = "▶" if it["current"] else " "
            # Data is text: an agenda line ending "[/]" or "[as amended]" is shown as written.
            title = escape(it["title"]) + ("  [magenta](armed: private)[/]" if it["armed"] else
                                           "  [yellow](exempt appendix)[/]" if it.get("appendix") else "")
            lines.append(f"{mark} {'[b]' + title + '[/b]' if it['current'] else title}")
        for it in (s["item"], s["next_item"]):
            if it and it.get("standing"):  # what reaching it does, and what the meeting has resolved
                lines.append(f"\n{'Now' if it['current'] else 'Next'}: {escape(it['title'])} — {escape(it['standing'])}")
            elif it and not it["current"]:
                lines.append(f"\nNext: {escape(it['title'])}")
        self.query_one("#agenda", Static).update("\n".join(lines))

        mlines = [f"[b]Members[/b] ({len(s['members'])}; 1–9 or / to find)"]
        for key, m in enumerate(s["members"], start=1):
            here = "▶" if s["speaker"] == m["display"] else " "
            mlines.append(f"{here} {('[b]' + str(key) + '[/b] ') if key <= 9 else '  '}{escape(m['display'])}")
        if s["speaker"] and s["speaker"] not in [m["display"] for m in s["members"]]:
            mlines.append(f"▶ {escape(s['speaker'])} (one-off)")
        chamber = s.get("chamber")
        if chamber:  # the chamber's microphones: who is on, who waits (A turns the automatic director on or off)
            def who(m):
                return escape(m["member"] or f"seat {m['mic']}")

            mode = ("AUTO" + (" (your cue holds)" if chamber["held_by_officer"] else "")) if chamber["auto"] else "manual"
            mlines.append(f"\n[b]Microphones[/b] {mode} (A)")
            on = [who(m) for m in chamber["mics"] if m["state"] in ("on", "priority-on")]
            mlines.append("On: " + (", ".join(on) or "none"))
            if chamber["queue"]:
                mlines.append("Waiting: " + ", ".join(f"{n}. {who(q)}" for n, q in enumerate(chamber["queue"], start=1)))
            if chamber["problem"]:
                mlines.append(f"[red]{escape(chamber['problem'])}[/]")
        self.query_one("#members", Static).update("\n".join(mlines))

        elapsed = int(self.clock() - self.started)
        h = s["health"]
        hl = [f"[b]Health[/b]  elapsed {elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}",
              f"OBS: {h['obs']}; stream {'LIVE' if h['streaming'] else 'off'}" + (" (reconnecting)" if h["reconnecting"] else "")]
        if h["kbps"] is not None:
            hl.append(f"bitrate {h['kbps']:,} kb/s")
        hl.append(f"YouTube: {escape(str(h['youtube']))}")
        so = h.get("standing_order")
        if so:  # the council's own words first: the chair must be told now
            hl[1:1] = [f"[b reverse red] {escape(so['words'])} [/]",
                       f"[b red]Webcast down since {escape(so['down_since'])} ({so['minutes']:g} min): "
                       f"{escape('; '.join(so['why']))}[/]"]
        hl += [f"[red]{escape(p)}[/]" for p in h["problems"]]
        self.query_one("#health", Static).update("\n".join(hl))
        self.query_one("#actions", Static).update(
            "\n".join(["[b]Last actions[/b]"] + [f"{a['at']} {escape(a['text'])}" for a in s["last_actions"][:8]]))
        self.query_one("#message", Static).update(self.message)

    # --- acting -------------------------------------------------------------------------------

    def _send(self, action: str, body: dict | None = None) -> None:
        self.busy += 1
        self.run_worker(lambda: self._act(action, body), thread=True, group="act", exit_on_error=False)

    def _act(self, action: str, body: dict | None) -> None:
        try:
            outcome = self.control.act(action, body)
            text = escape(outcome.message) if outcome.ok else f"[red]{refusal_words(outcome)}[/]"
            ok = outcome.ok
        except Exception as err:
            text, ok = f"[red]{escape(str(err))}[/]", False
        try:
            state = self.control.state()
        except Exception:
            state = None
        self.call_from_thread(self._acted, text, ok, state)

    def _acted(self, text: str, ok: bool, state: dict | None) -> None:
        self.busy -= 1
        self.message = text
        if not ok:
            self.bell()
        if state is not None:
            self._show(state)
        else:
            self.render_all()

    def action_cue(self, action: str) -> None:
        self._send(action)

    def action_speaker_key(self, key: int) -> None:
        members = self.state["members"] if self.state else []
        if 1 <= key <= len(members):
            self._send("speaker", {"name": members[key - 1]["name"]})

    def action_ask(self, action: str) -> None:
        """Ask the control first; only an action it would accept is put to the officer."""
        self.busy += 1
        self.run_worker(lambda: self._check_then_ask(action), thread=True, group="act", exit_on_error=False)

    def _check_then_ask(self, action: str) -> None:
        try:
            outcome = self.control.check(action, {})
        except Exception as err:
            self.call_from_thread(self._acted, f"[red]{escape(str(err))}[/]", False, None)
            return
        self.call_from_thread(self._asked, action, outcome)

    def _asked(self, action: str, outcome) -> None:
        self.busy -= 1
        if not outcome.ok:
            self.message = f"[red]{refusal_words(outcome)}[/]"
            self.bell()
            self.render_all()
            return
        confirm = BY_NAME[action].confirm
        self.push_screen(Confirm(f"{confirm.question} {confirm.detail}", default_no=confirm.default_no),
                         lambda yes: self._send(action) if yes else None)

    def action_resolve(self, action: str, values: dict | None = None, error: str = "") -> None:
        """A resolution of the meeting: its form, then (checked by the control first) its question."""
        refused = (self.state or {}).get("allowed", {}).get(action)
        if refused:
            self.message = f"[red]{escape(Refused.from_json(refused).words('console'))}[/]"
            self.bell()
            self.render_all()
            return
        item = (self.state or {}).get("item")
        self.push_screen(ResolutionForm(action, item["number"] if item else "", error, values),
                         lambda body: self._check_resolution(action, body) if body else None)

    def _check_resolution(self, action: str, body: dict) -> None:
        self.busy += 1

        def check() -> None:
            try:
                outcome = self.control.check(action, body)
            except Exception as err:
                self.call_from_thread(self._acted, f"[red]{escape(str(err))}[/]", False, None)
                return
            self.call_from_thread(self._resolution_checked, action, body, outcome)

        self.run_worker(check, thread=True, group="act", exit_on_error=False)

    def _resolution_checked(self, action: str, body: dict, outcome) -> None:
        self.busy -= 1
        if not outcome.ok:
            if outcome.kind == "bad_input":  # back to the form, with what was typed
                self.bell()
                self.action_resolve(action, body, outcome.message)
                return
            self.message = f"[red]{refusal_words(outcome)}[/]"
            self.bell()
            self.render_all()
            return
        confirm = BY_NAME[action].confirm
        self.push_screen(Confirm(f"{confirm.question} {confirm.detail}", default_no=confirm.default_no),
                         lambda yes: self._send(action, body) if yes else None)

    def action_vote(self, values: dict | None = None, error: str = "") -> None:
        item = (self.state or {}).get("item")
        refused = (self.state or {}).get("allowed", {}).get("vote")
        if refused and not values:  # the rules (as the control serves them) say no before the form opens
            self.message = f"[red]{escape(Refused.from_json(refused).words('console'))}[/]"
            self.bell()
            self.render_all()
            return
        self.push_screen(VoteForm(item["number"] if item else "?", values, error),
                         lambda body: self._send_vote(body) if body else None)

    def _send_vote(self, body: dict) -> None:
        self.busy += 1
        self.run_worker(lambda: self._vote(body), thread=True, group="act", exit_on_error=False)

    def _vote(self, body: dict) -> None:
        """Like _act, but a vote refused as bad input goes back to the form with what was typed."""
        try:
            outcome = self.control.act("vote", body)
        except Exception as err:
            self.call_from_thread(self._acted, f"[red]{escape(str(err))}[/]", False, None)
            return
        if not outcome.ok and outcome.kind == "bad_input":
            self.call_from_thread(self._vote_again, body, outcome.message)
            return
        text = escape(outcome.message) if outcome.ok else f"[red]{refusal_words(outcome)}[/]"
        try:
            state = self.control.state()
        except Exception:
            state = None
        self.call_from_thread(self._acted, text, outcome.ok, state)

    def _vote_again(self, body: dict, error: str) -> None:
        self.busy -= 1
        self.bell()
        self.action_vote(body, error)

    def action_find_member(self) -> None:
        self.query_one("#find", Input).focus()

    def action_oneoff(self) -> None:
        self.query_one("#oneoff", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.value = ""
        self.set_focus(None)
        if not text:
            return
        if event.input.id == "oneoff":
            self._send("speaker", {"oneoff": text})
            return
        self._send("speaker", {"name": self._member_named(text)})

    def _member_named(self, text: str) -> str:
        """What was typed (or completed): a display name ("Cllr Jane Smith") is the member's name."""
        for m in (self.state or {}).get("members", []):
            if text.casefold() in (m["display"].casefold(), m["name"].casefold()):
                return m["name"]
        return text

    def on_key(self, event) -> None:
        if event.key == "escape" and isinstance(self.focused, Input):
            self.set_focus(None)
            event.stop()
