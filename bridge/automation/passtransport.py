"""The transport steps of a pass, in the order and at the pace Ardour needs them.

Measured on Ardour 7.3 headless (Dummy backend), each with the sequence that
fails and the one that does not:

* **A locate right after a stop is lost.** Locate + play sent 0 ms after the
  stop report rolled from where the transport stopped; 50 ms or more after, from
  the place asked. So :func:`settle` waits until the last reported stop is
  :data:`SETTLE_S` old, before a pass locates and after it stops (so the next
  request, the next pass's or the caller's, is taken).
* **A locate after the mode spoils the write pass.** With the Write mode and
  the start values sent before the locate (in one bundle, or waiting for the
  locate before playing), once the transport had been elsewhere every value of
  the pass was written as a lone point with guard points back to the old curve
  1.3 ms later (22 of 33 events); with the locate done first (reported) and the
  mode and values sent after it, none was (6 passes each). So
  :func:`locate` comes first, and for a DAW that reports back what it is sent
  (:attr:`~bridge.dialects.base.Dialect.echoes_sets`: Ardour, Live) waits
  until it reports the start, sending the locate again every 0.3 s, for up to
  :data:`CONFIRM_S`; then :data:`SETTLE_S`, because a play sent right after a
  locate completed was lost too (2 of 6 passes).
* :func:`play` sends play again every 0.3 s until such a DAW says it rolls.
* **A DAW says it rolls before it moves**: Ardour's ``/transport_play 1`` came
  20-40 ms before its position moved, so a song clock started on that word runs
  ahead by as much (written values came that early). :class:`FirstMove` finds
  the first position report past the start, sampled by the DAW when sent, so
  the clock can be set on it: ahead by at most that much for the first report
  interval (0.1 s in Ardour), exact after it.

REAPER never echoes the address it is processing (nor does the virtual DAW), so
it does not report a locate while stopped; it is taken at its word, as is a DAW
that never reported its transport.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from bridge.errors import BridgeTimeoutError
from bridge.mixer.mirror import Mirror
from bridge.mixer.mixer import Mixer
from bridge.osc.message import Message

__all__ = ["CONFIRM_S", "LOCATED_S", "SETTLE_S", "FirstMove", "locate", "play", "settle"]

CONFIRM_S: Final = 2.0
"""How long a DAW that reports back may take to locate, and to roll, in s."""

SETTLE_S: Final = 0.3
"""How long to leave the transport alone after a stop or a locate, in s."""

LOCATED_S: Final = 0.005
"""How close to the start a position report must be, in s."""

_RESEND_S: Final = 0.3


def settle(mixer: Mixer) -> None:
    """Wait until the DAW's last reported stop is at least :data:`SETTLE_S` old."""
    mirror = mixer.mirror
    stopped = mirror.changed_at(None, "playing")
    if mirror.get(None, "playing") is not False or stopped is None:
        return
    left = stopped + SETTLE_S - time.monotonic()  # the mirror's clock
    if left > 0:
        mirror.wait_for(lambda _: False, left)


def locate(mixer: Mixer, start: float) -> None:
    """Locate to ``start`` s; for a DAW that reports back, until it reports it, then settle.

    Raises:
        BridgeTimeoutError: The DAW reports back, but not the start.
    """

    def there(m: Mirror) -> bool:
        at = m.get(None, "position_s")
        return isinstance(at, float | int) and abs(at - start) <= LOCATED_S

    request = mixer.dialect.transport("locate", start)
    if _confirmed(mixer, request, there, "position_s", f"locate to {start:.3f} s"):
        mixer.mirror.wait_for(lambda _: False, SETTLE_S)


def play(mixer: Mixer) -> None:
    """Play; for a DAW that reports back, until it says it rolls.

    Raises:
        BridgeTimeoutError: The DAW reports back, but never that it plays.
    """
    request = mixer.dialect.transport("play")
    _confirmed(mixer, request, lambda m: m.get(None, "playing") is True, "playing", "play")


class FirstMove:
    """The DAW's first position report past ``start`` from now on.

    Args:
        mixer: The connected mixer (its mirror holds the reports).
        start: Where the transport was located, in s.
    """

    def __init__(self, mixer: Mixer, start: float) -> None:
        self._mirror = mixer.mirror
        self._start = start
        self._before = self._mirror.changed_at(None, "position_s")

    def position(self, now: float) -> float | None:
        """The song position at ``now`` (``time.monotonic``, the mirror's clock), or None."""
        arrived = self._mirror.changed_at(None, "position_s")
        at = self._mirror.get(None, "position_s")
        if arrived is None or arrived == self._before or not isinstance(at, float | int):
            return None
        if at <= self._start + LOCATED_S:
            self._before = arrived  # still at the start: wait for the next one
            return None
        return float(at) + (now - arrived)


def _confirmed(
    mixer: Mixer, request: list[Message], done: Callable[[Mirror], bool], key: str, what: str
) -> bool:
    """Send ``request`` until ``done``; whether the DAW confirmed it (False: taken at its word)."""
    mirror = mixer.mirror
    mixer.send_raw(request)
    if not mixer.dialect.echoes_sets or mirror.get(None, key) is None:
        mirror.wait_for(done, _RESEND_S)
        return False
    for _ in range(round(CONFIRM_S / _RESEND_S)):
        if mirror.wait_for(done, _RESEND_S):
            return True
        mixer.send_raw(request)
    raise BridgeTimeoutError(
        f"{mixer.dialect.title} did not {what} within {CONFIRM_S:g} s"
        f" (it reports {key} {mirror.get(None, key)!r})"
    )
