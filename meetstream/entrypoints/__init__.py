"""Entry points: the command line, the Textual console, the HTTP control API and its web console,
the rehearsal. They call services, wired by meetstream.bootstrap."""
