"""meetstream: put council committee meetings on the air."""

__version__ = "0.1.0"
