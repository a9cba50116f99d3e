"""One rulebook, one action table: the actions are listed once (meetstream/actions.py), the rules
of the night are written once (meetstream/rules.py), and no surface decides anything from the
words of a message. Read from the source itself (Python by `ast`, the served JavaScript by text),
so a copy slipped back into a surface fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from meetstream.core import actions, rules
from meetstream.core.domain import AgendaItem, Meeting, Member, SessionState
from meetstream.core.rules import Now, Refused, Transition, decide

PKG = Path(__file__).resolve().parents[2] / "meetstream"
NAMES = set(actions.BY_NAME)
# Every place that drives or shows the night's actions.
SURFACES = ["entrypoints/cli/cue.py", "entrypoints/http/client.py", "services/control.py", "entrypoints/http/server.py",
            "entrypoints/http/remote.py", "entrypoints/console.py", "services/session.py", "services/night.py", "bootstrap.py"]
WEB = PKG / "entrypoints" / "http" / "web" / "app.js"


def _string_collections(tree: ast.AST):
    """Each dict/list/tuple/set literal in the module, as the string constants it holds (keys and elements)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = node.elts
        else:
            continue
        yield node, {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}


@pytest.mark.parametrize("module", SURFACES)
def test_no_surface_lists_the_actions(module):
    tree = ast.parse((PKG / module).read_text())
    for node, strings in _string_collections(tree):
        listed = strings & NAMES
        # A collection mostly of action names is a list of actions (a state's JSON keys that
        # happen to include "item" or "speaker" are not).
        assert len(listed) < 2 or 2 * len(listed) < len(strings), \
            f"{module}:{node.lineno} lists actions {sorted(listed)}: read meetstream.core.actions instead"


def test_the_served_javascript_lists_no_actions_and_copies_no_rule():
    js = re.sub(r"//[^\n]*", "", WEB.read_text())  # comments say "a vote: …" in words
    for block in re.finditer(r"\{([^{}]*)\}", js):  # each innermost object literal
        keys = {m.group(1) for m in re.finditer(r"(?<![\w.$])([a-z]+)\s*:\s", block.group(1))} & NAMES
        assert len(keys) < 2, f"app.js has an object keyed by actions {sorted(keys)}: it is served the table (GET api/actions)"
    for array in re.finditer(r"\[([^\[\]]*)\]", js):
        quoted = set(re.findall(r'"([a-z]+)"', array.group(1))) & NAMES
        assert len(quoted) < 2, f"app.js lists actions {sorted(quoted)}"
    assert "`cue" not in js and "HINT_ALLOWED" not in js  # no rewriting of the command line's words, no rule copy


def _refusal_phrases() -> set[str]:
    """The fixed words of every refusal the rulebook can give (the text between its f-string holes)."""
    tree = ast.parse((PKG / "core" / "rules.py").read_text())
    phrases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Refused" and len(node.args) >= 2:
            reason = node.args[1]
            parts = reason.values if isinstance(reason, ast.JoinedStr) else [reason]
            for part in parts:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    for bit in part.value.split("{fix}"):
                        if len(bit.strip(" :;,.()")) >= 18:
                            phrases.add(bit.strip(" :;,.()"))
    return phrases


def test_each_refusal_is_written_once_in_the_rulebook():
    phrases = _refusal_phrases()
    assert len(phrases) >= 10  # (so the check below means something)
    sources = {p: p.read_text() for p in PKG.rglob("*.py") if p.name != "rules.py" and "sandbox" not in p.parts}
    sources[WEB] = WEB.read_text()
    for phrase in phrases:
        copies = [str(p.relative_to(PKG)) for p, text in sources.items() if phrase in text]
        assert not copies, f"the refusal {phrase!r} is written again in {copies}"


def _decides_on_words(tree: ast.AST) -> list[int]:
    """Lines where an `if`, a comparison or a condition looks at a message's text."""
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.If, ast.IfExp, ast.While, ast.Assert)):
            continue
        for sub in ast.walk(node.test):
            text = isinstance(sub, ast.Attribute) and sub.attr == "message"
            text = text or (isinstance(sub, ast.Call) and getattr(sub.func, "id", None) == "str" and sub.args
                            and isinstance(sub.args[0], ast.Name) and sub.args[0].id in ("err", "error", "e"))
            if text:
                hits.append(node.lineno)
    return hits


def test_no_status_exit_code_or_flow_is_taken_from_a_message():
    for path in [*(PKG / "entrypoints").rglob("*.py"), *(PKG / "services").glob("*.py")]:
        hits = _decides_on_words(ast.parse(path.read_text()))
        assert not hits, f"{path.relative_to(PKG)} decides from a message's words at lines {hits}"


def test_every_action_has_exactly_one_rule_and_each_state_it_leads_to_is_the_rules():
    assert set(rules._RULES) == NAMES
    meeting = Meeting("m", "Planning Committee", *(2 * [__import__("datetime").datetime(2026, 12, 1)]),
                      agenda=(AgendaItem("1", "Minutes"), AgendaItem("2", "Land (Part 2)", exempt=True)),
                      members=(Member("Jane Smith"),))
    for a in actions.ACTIONS:
        if a.leads_to is None:
            continue
        done = [decide(Now("chamber", state, meeting.agenda[0]), meeting, a.name, member=meeting.members[0])
                for state in SessionState]
        reached = {t.state.value for t in done if isinstance(t, Transition)}
        assert reached == {a.leads_to}, (a.name, reached)


def test_a_refusal_names_each_surfaces_own_way_to_help():
    refused = decide(Now("chamber", SessionState.PRIVATE, AgendaItem("2", "Land", exempt=True)), None, "public")
    assert isinstance(refused, Refused) and refused.code == "exempt_item"
    assert refused.words("cli") == ("item 2 is exempt: move to a public item (`cue next` or `cue item N`) before "
                                    "readmitting the public, or record the meeting's resolution to stay public for it "
                                    "(`cue stay-public ITEM`)")
    assert refused.words("console") == ("item 2 is exempt: move to a public item (n (Next item)) before readmitting the "
                                        "public, or record the meeting's resolution to stay public for it (K (Stay public))")
    assert refused.words("web") == ("item 2 is exempt: move to a public item (Next item or a public item in the agenda) "
                                    "before readmitting the public, or record the meeting's resolution to stay public "
                                    "for it (Stay public)")
    assert Refused.from_json(refused.as_json()) == refused


def test_allowed_now_is_what_decide_says():
    meeting = Meeting("m", "Planning Committee", *(2 * [__import__("datetime").datetime(2026, 12, 1)]),
                      agenda=(AgendaItem("1", "Minutes"),))
    allowed = rules.allowed_now(Now("chamber", SessionState.RECESS, meeting.agenda[0]), meeting)
    assert set(allowed) == NAMES
    assert allowed["resume"] is None and allowed["chamber"]["code"] == "recess" and allowed["public"]["code"] == "not_private"
    assert allowed["chamber"]["by_state"]  # the state refuses it: a console dims it
    on_exempt = rules.allowed_now(Now("chamber", SessionState.PRIVATE, AgendaItem("2", "Land", exempt=True)), meeting)
    assert on_exempt["public"]["code"] == "exempt_item" and not on_exempt["public"]["by_state"]  # explained on a tap
