"""Correcting an automatic caption track with the council's own words. Pure.

The vocabulary is what a speech recogniser gets wrong in a council meeting: members' names (and
"Councillor" before them), wards, committees, the public agenda items' titles, and the council's
glossary. Each term is looked for in every cue:

  1. the same words in another case ("brimington north" -> "Brimington North");
  2. a near miss: a run of words (one fewer to one more than the term has, so "lud low" is
     "Ludlow") whose letters, and whose rough sound, are within CUTOFF of the term's
     (difflib.SequenceMatcher), e.g. "councillor smyth" -> "Councillor Smith".

Safe by construction: a run that already is some term is never changed into another; a run as
close to two different terms is left alone; single words under MIN_FUZZY letters are only ever
re-cased; and every change is returned (cue time, before, after) for the officer to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from meetstream.services.captions.cues import Cue

CUTOFF = 0.86  # GUESS, tuned on the sample: high enough that ordinary words are left alone
MIN_FUZZY = 6  # letters: shorter single-word terms are only re-cased
SPOKEN_TITLES = {"cllr": "Councillor", "cllr.": "Councillor", "councillor": "Councillor"}


@dataclass(frozen=True)
class Change:
    at: str  # the cue's start, "1:02:03"
    start_ms: int
    before: str
    after: str


@dataclass(frozen=True)
class Term:
    text: str  # as it should read
    key: str  # letters only, lower case, no spaces
    sound: str
    words: int


def _letters(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.casefold())


_SOUNDS = ((r"ph", "f"), (r"ck", "k"), (r"q", "k"), (r"c(?=[eiy])", "s"), (r"c", "k"), (r"z", "s"), (r"y", "i"),
           (r"gh", "g"), (r"wh", "w"), (r"ou", "u"), (r"ee|ea|ie", "i"), (r"oo", "u"), (r"th", "t"))


def sound(s: str) -> str:
    """A rough English sound key: sound-alike spellings (Smyth/Smith, Hazeland/Hasland) meet."""
    s = _letters(s)
    for pattern, repl in _SOUNDS:
        s = re.sub(pattern, repl, s)
    s = re.sub(r"(.)\1+", r"\1", s)  # doubled letters
    return s[:1] + re.sub(r"[aeiou]", "", s[1:]) if s else s


def term(text: str) -> Term:
    text = " ".join(text.split())
    return Term(text, _letters(text), sound(text), len(text.split()))


def vocabulary(*, members=(), wards=(), committees=(), titles=(), glossary=()) -> list[Term]:
    """Terms from the roster and the meeting (Member objects), ward and committee names, public
    agenda titles and the glossary's words; de-duplicated, longest first."""
    words: list[str] = []
    for m in members:
        name = " ".join(m.name.split())
        words.append(name)
        if (m.title or "").casefold() in SPOKEN_TITLES:
            spoken = SPOKEN_TITLES[(m.title or "").casefold()]
            words += [f"{spoken} {name}", f"{spoken} {name.split()[-1]}"]
        if m.ward:
            words.append(m.ward)
    words += [w for w in wards if w] + [c for c in committees if c] + [t for t in titles if t] + [g for g in glossary if g]
    seen: dict[str, Term] = {}
    for w in words:
        t = term(w)
        if t.key and t.key not in seen:
            seen[t.key] = t
    return sorted(seen.values(), key=lambda t: (-t.words, -len(t.key)))


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


def _score(run: str, t: Term) -> float:
    k = _letters(run)
    if not k:
        return 0.0
    if len(k) < 0.75 * len(t.key) or len(k) > 1.34 * len(t.key):
        return 0.0
    spelled = SequenceMatcher(None, k, t.key, autojunk=False).ratio()
    heard = SequenceMatcher(None, sound(run), t.sound, autojunk=False).ratio()
    return max(spelled, (spelled + heard) / 2) if heard >= CUTOFF else spelled


def correct_text(text: str, terms: list[Term], replacements: dict[str, str] | None = None) -> str:
    """One cue's text, corrected (lines kept)."""
    return "\n".join(_correct_line(line, terms, replacements or {}) for line in text.split("\n"))


def _correct_line(line: str, terms: list[Term], replacements: dict[str, str]) -> str:
    for wrong, right in replacements.items():  # the glossary's own "heard as" pairs, whole words only
        line = re.sub(rf"(?<![A-Za-z0-9]){re.escape(wrong)}(?![A-Za-z0-9])", right, line, flags=re.IGNORECASE)
    tokens = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(line)]
    if not tokens:
        return line
    exact = {t.key: t for t in terms}
    taken = [False] * len(tokens)
    edits: list[tuple[int, int, str]] = []
    for t in terms:  # longest terms first, so "Councillor Jane Smith" wins over "Jane Smith"
        found: list[tuple[float, int, int]] = []  # (score, -|n - words|, i, n)
        for i in range(len(tokens)):
            for n in {max(1, t.words - 1), t.words, t.words + 1}:
                if i + n > len(tokens) or any(taken[i:i + n]):
                    continue
                run = line[tokens[i][0]:tokens[i + n - 1][1]]
                k = _letters(run)
                if k == t.key:
                    found.append((2.0, -abs(n - t.words), i, n))
                    continue
                if k in exact or (t.words == 1 and len(t.key) < MIN_FUZZY):
                    continue  # already another term, or too short to guess at
                s = _score(run, t)
                if s >= CUTOFF and not any(o is not t and _score(run, o) >= s - 0.02 for o in terms):
                    found.append((s, -abs(n - t.words), i, n))  # (not as close to another term)
        for score, _, i, n in sorted(found, reverse=True):  # the best runs first; no run used twice
            if any(taken[i:i + n]):
                continue
            for j in range(i, i + n):
                taken[j] = True
            run = line[tokens[i][0]:tokens[i + n - 1][1]]
            suffix = run[-2:] if run.endswith(("'s", "’s")) and not t.text.endswith("s") else ""
            if run != t.text + suffix:
                edits.append((tokens[i][0], tokens[i + n - 1][1], t.text + suffix))
    for start, end, new in sorted(edits, reverse=True):
        line = line[:start] + new + line[end:]
    return line


def correct(cues: list[Cue], terms: list[Term], replacements: dict[str, str] | None = None) -> tuple[list[Cue], list[Change]]:
    """(corrected cues, every change made: cue time, before, after)."""
    out, changes = [], []
    for c in cues:
        fixed = correct_text(c.text, terms, replacements)
        if fixed != c.text:
            changes.append(Change(c.at(), c.start_ms, c.text, fixed))
            c = Cue(c.start_ms, c.end_ms, fixed)
        out.append(c)
    return out, changes
