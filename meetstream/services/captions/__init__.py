"""Captions for the recorded meetings (Public Sector Bodies Accessibility Regulations 2018).

    cues.py     WebVTT / SRT <-> cues (webvtt-py, srt); a bad file is one clear error
    vocab.py    the council's words: members, wards, committees, public titles, glossary
    private.py  no cue from a private session, a recess or an exempt item, ever
    service.py  fetch, correct, review (export/import), upload, status; handed the captions port
"""

from meetstream.services.captions.cues import CaptionFileError, Cue
from meetstream.services.captions.service import (CaptionStatus, caption_settings, caption_states, correct, export_review, fetch,
                                         import_review, status, upload)

__all__ = ["CaptionFileError", "CaptionStatus", "Cue", "caption_settings", "caption_states", "correct", "export_review",
           "fetch", "import_review", "status", "upload"]
