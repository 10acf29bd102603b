"""``bridge.connect``: one call from a DAW name to a connected :class:`~bridge.mixer.Mixer`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from bridge.dialects import dialect_class, import_spec
from bridge.errors import BridgeError
from bridge.mixer.mixer import Mixer

__all__ = ["connect"]


def connect(
    daw: str,
    host: str = "127.0.0.1",
    port: int | None = None,
    *,
    listen_host: str = "127.0.0.1",
    listen_port: int | None = None,
    timeout: float = 2.0,
    rate_limit_s: float = 0.0,
    stems: str | Path | None = None,
    render_dir: str | Path | None = None,
) -> Mixer:
    """Connect to a DAW's mixer over OSC.

    Use it as a context manager; leaving the block closes the socket::

        with bridge.connect("ardour") as mixer:
            mixer.tracks["Vocals"].volume_db = -3.0

    Args:
        daw: ``"reaper"``, ``"ardour"``, ``"ableton"`` or ``"virtual"``.
        host: The DAW's host; loopback by default.
        port: The DAW's OSC port (REAPER 8000, Ardour 3819, Live 11000 by default).
        listen_host: Where to listen for feedback; loopback by default.
        listen_port: Our port (REAPER sends to 9000, AbletonOSC to 11001;
            Ardour replies to whatever port we send from).
        timeout: How long to wait for the DAW's answers, in s.
        rate_limit_s: Minimum interval between messages to one address, in s
            (latest value wins).
        stems: For ``"virtual"`` (a DAW started inside mixdesk, see
            :attr:`~bridge.dialects.base.Dialect.embedded`): the folder of stem files.
        render_dir: For ``"virtual"``: where takes go (created if missing); the
            current folder if None.

    Returns:
        The connected mixer.

    Raises:
        BridgeError: Unknown DAW, busy port, no answer, or a ``render_dir`` for a
            DAW that is not embedded (the message says which).
        ImportError: The DAW's module is not in this installation.
    """
    cls = dialect_class(daw)
    if cls.embedded is not None:
        start = cast(Callable[..., Mixer], import_spec(cls.embedded))
        return start(stems, timeout=timeout, rate_limit_s=rate_limit_s, render_dir=render_dir)
    if render_dir is not None:
        raise BridgeError(
            f"render_dir is only for the virtual DAW; {cls.title} renders where it is set to"
        )
    mixer = Mixer(
        cls(),
        host=host,
        port=port,
        listen_host=listen_host,
        listen_port=listen_port,
        timeout=timeout,
        rate_limit_s=rate_limit_s,
    )
    return mixer.open()
