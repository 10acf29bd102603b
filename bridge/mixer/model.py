"""The typed mixer model: tracks, sends, plugins and their parameters, and the transport.

These objects hold no values: every read comes from the mixer's state mirror and
every write goes to the DAW, so they are cheap handles that stay valid while the
DAW changes. A track taken by name is looked up by that name on every access,
so it keeps pointing at the right track when the DAW renumbers its tracks. The
transport's handle is in :mod:`bridge.mixer.transport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bridge.dialects.base import MASTER, TrackId, Value
from bridge.dialects.values import float_or_nan
from bridge.mixer.fx import FxChain
from bridge.mixer.transport import Transport

if TYPE_CHECKING:
    from bridge.automation.builder import LaneBuilder
    from bridge.automation.timebase import Tempo
    from bridge.mixer.mixer import Mixer

__all__ = ["Send", "Sends", "Track", "Tracks", "Transport"]


class Track:
    """One track (or the master bus) of the DAW's mixer.

    Args:
        mixer: The connected mixer.
        ref: The track's 1-based number, its name, or ``"master"``.
    """

    def __init__(self, mixer: Mixer, ref: int | str) -> None:
        self._mixer = mixer
        self._ref = ref

    @property
    def mixer(self) -> Mixer:
        """The mixer this track belongs to."""
        return self._mixer

    @property
    def key(self) -> TrackId:
        """The dialect's current id of this track (resolved now)."""
        return self._mixer.resolve(self._ref)

    @property
    def is_master(self) -> bool:
        """True for the master bus."""
        return self._ref == MASTER

    @property
    def name(self) -> str:
        """The track's name as the DAW reports it (``"MASTER"`` for the master)."""
        if self.is_master:
            return "MASTER"
        value = self._mixer.get(self.key, "name")
        return str(value) if value is not None else ""

    @name.setter
    def name(self, value: str) -> None:
        self._mixer.set(self.key, "name", value)

    @property
    def number(self) -> int | None:
        """The track's 1-based number, or None for the master."""
        key = self.key
        return None if key == MASTER else self._mixer.dialect.track_number(int(key))

    def get(self, param: str) -> Value:
        """Read a parameter by path (see :mod:`bridge.dialects.base`)."""
        return self._mixer.get(self.key, param)

    def set(self, param: str, value: Value) -> None:
        """Set a parameter by path."""
        self._mixer.set(self.key, param, value)

    def wait_for(
        self, param: str, value: Value, *, tolerance: float = 0.01, timeout: float = 2.0
    ) -> None:
        """Wait until the DAW reports ``value`` for ``param``.

        Raises:
            BridgeTimeoutError: Not reported within ``timeout`` s.
        """
        self._mixer.wait_for(self.key, param, value, tolerance=tolerance, timeout=timeout)

    @property
    def volume_db(self) -> float:
        """Fader level in dB (``-inf`` for silence)."""
        return float_or_nan(self.get("volume_db"))

    @volume_db.setter
    def volume_db(self, value: float) -> None:
        self.set("volume_db", value)

    @property
    def pan(self) -> float:
        """Pan, -1 (left) … 0 (centre) … +1 (right)."""
        return float_or_nan(self.get("pan"))

    @pan.setter
    def pan(self, value: float) -> None:
        self.set("pan", value)

    @property
    def width(self) -> float:
        """Stereo width, -1 (swapped) … 0 (mono) … +1 (full)."""
        return float_or_nan(self.get("width"))

    @width.setter
    def width(self, value: float) -> None:
        self.set("width", value)

    @property
    def mute(self) -> bool:
        """Muted."""
        return bool(self.get("mute"))

    @mute.setter
    def mute(self, value: bool) -> None:
        self.set("mute", value)

    @property
    def solo(self) -> bool:
        """Soloed."""
        return bool(self.get("solo"))

    @solo.setter
    def solo(self, value: bool) -> None:
        self.set("solo", value)

    @property
    def rec_arm(self) -> bool:
        """Armed for recording."""
        return bool(self.get("rec_arm"))

    @rec_arm.setter
    def rec_arm(self, value: bool) -> None:
        self.set("rec_arm", value)

    def automate(self, param: str, *, tempo: Tempo | None = None) -> LaneBuilder:
        """Start an automation lane for one of this track's parameters.

        >>> lane = track.automate("volume_db").at(0, -6).to(12, -3.5, "s_curve").lane
        ...                                                       # doctest: +SKIP

        Args:
            param: The parameter path (``volume_db``, ``pan``, ``width``,
                ``mute``, ``send/N/level_db``, ``fx/N/param/M``).
            tempo: Needed for ``"bar:beat"`` positions.

        Returns:
            A :class:`~bridge.automation.builder.LaneBuilder` for this track
            (by the name or number it was taken by); play its lane with
            :class:`~bridge.automation.player.LanePlayer`.
        """
        from bridge.automation.builder import LaneBuilder

        return LaneBuilder(self._ref, param, tempo=tempo)

    @property
    def sends(self) -> Sends:
        """The track's sends, ``sends[1]`` first."""
        return Sends(self)

    @property
    def fx(self) -> FxChain:
        """The track's plugins, ``fx[1]`` first."""
        return FxChain(self)

    def __repr__(self) -> str:
        return f"Track({self._ref!r})"


class Tracks:
    """The mixer's tracks: ``tracks[1]``, ``tracks["Vocals"]``, iteration, ``len``."""

    def __init__(self, mixer: Mixer) -> None:
        self._mixer = mixer

    def __getitem__(self, ref: int | str) -> Track:
        self._mixer.resolve(ref)  # fail now, naming the track, if it does not exist
        return Track(self._mixer, ref)

    def __iter__(self) -> Iterator[Track]:
        for key, _ in self._mixer.mirror.tracks():
            yield Track(self._mixer, self._mixer.dialect.track_number(key))

    def __len__(self) -> int:
        return len(self._mixer.mirror.tracks())

    def __contains__(self, ref: object) -> bool:
        if not isinstance(ref, int | str):
            return False
        try:
            self._mixer.resolve(ref)
        except KeyError:
            return False
        return True


class Send:
    """One send of a track."""

    def __init__(self, track: Track, index: int) -> None:
        self._track = track
        self.index = index

    @property
    def _path(self) -> str:
        return f"send/{self.index}/level_db"

    @property
    def level_db(self) -> float:
        """Send level in dB, as the DAW reports it now (asked again where it can be)."""
        mixer, key = self._track.mixer, self._track.key
        if mixer.dialect.query(key, self._path):
            mixer.mirror.forget(key, self._path)
        return float_or_nan(self._track.get(self._path))

    @level_db.setter
    def level_db(self, value: float) -> None:
        """Set the level and wait for the DAW to confirm it, where it reports sends.

        Raises:
            BridgeTimeoutError: The DAW did not confirm the level in time.
        """
        mixer, key = self._track.mixer, self._track.key
        if mixer.dialect.confirms(key, self._path):
            mixer.mirror.forget(key, self._path)
        self._track.set(self._path, value)
        if mixer.dialect.confirms(key, self._path):
            self._track.wait_for(self._path, value, tolerance=0.01)


class Sends:
    """A track's sends, numbered from 1."""

    def __init__(self, track: Track) -> None:
        self._track = track

    def __getitem__(self, index: int) -> Send:
        return Send(self._track, _index(index, "send"))


def _index(index: int, what: str) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or index < 1:
        raise IndexError(f"{what}s are numbered from 1, not {index!r}")
    return index
