"""Simulators of the chamber's outside systems, speaking the makers' bytes over loopback:
DICENTIS (dicentis.py), Televic camera UDP and CoCon (televic.py), Shure DIS/DDS CCU (shure.py) and a
VISCA-over-IP PTZ camera (visca.py). Product code: the rehearsal and the tests drive them."""
