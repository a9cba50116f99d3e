"""The chamber adapters' errors: one line each, saying what and how to fix it."""

from meetstream.errors import MeetstreamError


class ChamberError(MeetstreamError):
    """A conference microphone system or a PTZ camera refused, failed or could not be reached."""


class ViscaError(ChamberError):
    """A VISCA-over-IP camera answered with an error, or did not answer."""
