"""Services: the night (session, start/end, watchdog, control), meetings, schedule, captions, publish.

They are handed ports (meetstream.ports) and the store; they never import an adapter."""
