"""The room's resident control: one process owns a room's OBS and session; every surface (cue,
the console, the tablet, Companion) talks to it. See docs/architecture.md and docs/control-api.md."""
