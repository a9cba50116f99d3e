"""The core: the meeting's facts and the rules of the night. Pure: no I/O, no outside SDK, no adapter."""
