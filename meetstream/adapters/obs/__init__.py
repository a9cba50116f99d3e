"""OBS Studio over obs-websocket 5: connection (batch, reconnect), scene sets, director actions.

obsws_python is imported only inside this package, and only when a command needs OBS.
"""
