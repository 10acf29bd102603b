"""The virtual DAW's control surface: what each track and master address does, and reports.

:class:`MixSurface` holds the live mixer state, the track names (stems, then
returns; track 0 is the master), record-arm states and the automation
recorder, and applies one parsed address
(:func:`bridge.dialects.reaper_addresses.parse_address`) to them, returning the
feedback to send or why the message was refused. Fader words:
:mod:`bridge.virtual.tracks`; plugins, the EQ and sends:
:mod:`bridge.virtual.fxosc`. The caller (:mod:`bridge.virtual.server`) holds
the lock, logs refusals and sends.

Automation: the mode and touch words of every track (and ``/track/0/...`` for
the master, whose lanes are keyed ``"master"``); volume, pan, plugin
parameter (``fx/N/param/M``, in units) and send (``send/N/level_db``) moves are
handed to the :class:`~bridge.virtual.recorder.Recorder`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bridge.dialects.base import as_float
from bridge.dialects.reaper_addresses import ReaperAddress
from bridge.osc.message import Message
from bridge.virtual.feedback import (
    automation_feedback,
    master_feedback,
    plugin_feedback,
    selected_feedback,
    send_feedback,
    track_feedback,
)
from bridge.virtual.fxosc import apply_plugin, is_plugin_word
from bridge.virtual.recorder import MODES, Recorder
from bridge.virtual.state import MixState, PluginState
from bridge.virtual.tracks import FADER_WORDS, MASTER_WORDS, apply_fader, apply_master, rename

__all__ = ["MASTER_KEY", "MixSurface"]

MASTER_KEY = "master"
"""The master's key in the recorder and in automation lanes."""


class MixSurface:
    """The mixer state and what REAPER's track addresses do to it.

    Args:
        state: The live mixer state (tracks in order: stems, then returns).
        stems: How many of the tracks are stems.
        position: Returns the transport position in s (for recording).
    """

    def __init__(self, state: MixState, stems: int, position: Callable[[], float]) -> None:
        self.state = state
        self.stems = stems
        self.names = list(state.tracks)
        """Track names in order: the stems', then the returns' (track N is ``names[N-1]``)."""
        self.recarm = dict.fromkeys(self.names, False)
        self.recorder = Recorder(self.lane_keys(), self.current)
        self._position = position

    @property
    def position(self) -> float:
        """The transport position in s."""
        return self._position()

    def lane_keys(self) -> list[str]:
        """The recorder's track keys: the track names, and the master's unless a track has it."""
        return [*self.names, *([MASTER_KEY] if MASTER_KEY not in self.names else [])]

    def returns(self) -> Sequence[str]:
        """The return tracks' names, send 1's first."""
        return self.names[self.stems :]

    def track(self, n: int, a: ReaperAddress, arg: object) -> list[Message] | str | None:
        """Apply a track-scope address to track ``n`` (0 = master, ``0 <= n <= len(names)``).

        Returns:
            The feedback to send; a reason, or None for "unknown address or bad
            value", when the message is refused.
        """
        return self._apply(n, a, arg)

    def automate(self, name: str, rest: str, f: float | None) -> bool:
        """Apply a mode or touch message; False if ``rest`` is neither."""
        if rest.startswith("auto") and rest[4:] in MODES and f in (None, 1.0):
            self.recorder.set_mode(name, rest[4:], self.position)
        elif rest in ("volume/touch", "pan/touch") and f in (0.0, 1.0):
            param = "volume_db" if rest == "volume/touch" else "pan"
            self.recorder.touch(name, param, f == 1.0, self.position)
        else:
            return False
        return True

    def plugins(self, n: int) -> list[PluginState]:
        """Track ``n``'s plugins (0 = the master's)."""
        if n == 0:
            return self.state.master_plugins
        return self.state.tracks[self.names[n - 1]].plugins

    def _apply(self, n: int, a: ReaperAddress, arg: object) -> list[Message] | str | None:
        name = MASTER_KEY if n == 0 else self.names[n - 1]
        recorded = n != 0 or MASTER_KEY not in self.names  # a stem called MASTER_KEY has the key
        f = as_float(arg) if not isinstance(arg, bool) else None
        if recorded and self.automate(name, a.word, f):
            return automation_feedback(n, self.recorder.mode(name)) if n else []
        if is_plugin_word(a.word):
            t = None if n == 0 else self.state.tracks[name]
            got = apply_plugin(a, self.plugins(n), t, arg)
            if isinstance(got, str):
                return got
            if got.param is not None and recorded:
                self.recorder.changed(name, got.param, self.position, got.value, got.before)
            if got.slot == 0:
                assert t is not None
                return send_feedback(n, t, self.returns())
            return plugin_feedback(n, got.slot, self.plugins(n)[got.slot - 1])
        if n == 0:
            if a.word not in MASTER_WORDS or not apply_master(self.state, a.word, arg):
                return None
            if recorded:
                self._master_changed(a.word)
            return self.master_feedback()
        return self._fader(n, name, a.word, arg)

    def _fader(self, n: int, name: str, word: str, arg: object) -> list[Message] | str | None:
        t = self.state.tracks[name]
        if word == "name":
            if not isinstance(arg, str):
                return None
            why = rename(self.state, self.names, n, arg)
            if why is not None:
                return why
            if arg != name:
                renamed = {(arg if k == name else k): v for k, v in self.recarm.items()}
                self.recarm.clear()
                self.recarm.update(renamed)
                self.recorder.rename(name, arg)
                name = arg
        elif word in FADER_WORDS:
            got = apply_fader(t, self.recarm[name], word, arg)
            if got is None:
                return None
            if isinstance(got, bool):
                self.recarm[name] = got
            param = {"volume/db": "volume_db", "volume": "volume_db", "pan": "pan"}.get(word)
            if param is not None:
                self.recorder.changed(name, param, self.position, getattr(t, param))
        else:
            return None
        return track_feedback(n, name, t, self.recorder.mode(name))

    def _master_changed(self, word: str) -> None:
        param = "pan" if word == "pan" else "volume_db"
        value = self.state.master_pan if param == "pan" else self.state.master_volume_db
        self.recorder.changed(MASTER_KEY, param, self.position, value)

    def master_feedback(self) -> list[Message]:
        """The master's fader values."""
        return master_feedback(self.state.master_volume_db, self.state.master_pan)

    def current(self, name: str, param: str) -> float:
        """A parameter's current value, for the recorder's punch-in and punch-out points."""
        master = name == MASTER_KEY and name not in self.state.tracks
        t = None if master else self.state.tracks[name]
        if param == "volume_db":
            return self.state.master_volume_db if t is None else t.volume_db
        if param == "pan":
            return self.state.master_pan if t is None else t.pan
        parts = param.split("/")
        if parts[0] == "send" and t is not None:
            return t.sends_db[int(parts[1]) - 1]
        plugins = self.state.master_plugins if t is None else t.plugins
        return plugins[int(parts[1]) - 1].values[int(parts[3]) - 1]

    def everything(self) -> list[Message]:
        """Every track's and the master's values (REAPER's "refresh all surfaces")."""
        msgs: list[Message] = []
        for i, name in enumerate(self.names, start=1):
            t = self.state.tracks[name]
            msgs += track_feedback(i, name, t, self.recorder.mode(name))
            msgs += send_feedback(i, t, self.returns())
            for slot, p in enumerate(t.plugins, start=1):
                msgs += plugin_feedback(i, slot, p)
        msgs += self.master_feedback()
        for slot, p in enumerate(self.state.master_plugins, start=1):
            msgs += plugin_feedback(0, slot, p)
        return msgs

    def selected(self, n: int) -> list[Message]:
        """Track ``n``'s plugin and parameter names, on the device-selected addresses."""
        return selected_feedback(n, self.plugins(n))
