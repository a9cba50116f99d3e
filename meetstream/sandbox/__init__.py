"""Local simulators of the outside world, for rehearsal and tests: product code, not scaffolding."""
