"""The room's control over HTTP: the server `meetstream serve` runs, its thin client, and the web console."""
