"""mixdesk bridge: drive a DAW's mixer from Python over OSC.

The OSC transport, dialects and mixer model arrive with the bridge issue; for
now the package holds its root exception.
"""

from bridge.errors import BridgeError

__all__ = ["BridgeError"]
