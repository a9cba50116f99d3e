"""The chamber's outside systems: conference microphone systems as MicSources (meetstream.core.chamber)
and PTZ cameras over VISCA-over-IP. Each module cites the maker's document it follows.

    DicentisClient(url, user, password)       Bosch DICENTIS Conference Protocol (WebSocket, JSON)
    TelevicCameraListener(port=8000)           Televic Confidea G3 / D-Cerno camera UDP JSON
    CoConClient("http://host:8890")            Televic CoCon REST long-poll
    ShureDisClient(host, port=3142)            Shure DIS-CCU / DDS 5900 external control (ASCII over TCP)
    ViscaCamera(host, port=52381)              PTZ preset recall, ACK and Completion

Simulators: meetstream/sandbox/chamber/. Only meetstream.bootstrap builds these for a room.
"""

from meetstream.adapters.chamber.dicentis import DicentisClient
from meetstream.adapters.chamber.errors import ChamberError, ViscaError
from meetstream.adapters.chamber.shure import ShureDisClient
from meetstream.adapters.chamber.televic import CoConClient, TelevicCameraListener
from meetstream.adapters.chamber.visca import ViscaCamera

__all__ = ["ChamberError", "CoConClient", "DicentisClient", "ShureDisClient", "TelevicCameraListener",
           "ViscaCamera", "ViscaError"]
