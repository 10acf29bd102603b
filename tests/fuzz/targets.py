"""Fuzz targets: one function per parser, each taking one input as bytes.

A target runs the same code path the product runs on untrusted input and
returns normally when the input is handled: either accepted, or refused with
the package's documented error (``qc.errors.QCError`` for the qc side,
a one-line ``bridge.automation.errors.AutomationError`` for lane and scene files; for OSC,
a receiver drops and counts a bad datagram). Any other exception escaping a
target is a crash. Crashes that the product would swallow, and so hide, are
re-raised here: a rule that crashed (reported as a finding), an OSC handler
that raised (counted as ``handler_errors`` or ``ignored``), a datagram that
`valid_datagram` accepted but python-osc could not parse.

Targets build their fixtures (temp folder, sockets bound on 127.0.0.1, a
virtual DAW with two tiny stems) once, on first use, and reuse them.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "MAX_AUDIO_BYTES",
    "TARGETS",
    "audio_one",
    "config_one",
    "lanes_one",
    "osc_bridge_one",
    "osc_virtual_one",
    "preload",
    "profile_one",
    "scene_one",
]

MAX_AUDIO_BYTES = 8192
"""Audio inputs are cut to this many bytes, so one execution stays in the milliseconds."""

AUDIO_SUFFIXES = (".wav", ".aiff", ".flac", ".rf64")
"""The first input byte picks the suffix the bytes are written under."""

PARENT_MARK = b"\n#parent\n"
"""Profile inputs: text after this line is written as ``parent.toml`` next to the profile;
text after a second one as ``parent2.toml``, and so on (an ``extends`` chain)."""

SCENE_MARK = b"\n#b\n"
"""Scene inputs: text after this line is the second scene (``b.toml``) of a diff."""

_state: dict[str, Any] = {}


def _scratch() -> Path:
    """One temp folder per process, removed at exit."""
    if "dir" not in _state:
        folder = Path(tempfile.mkdtemp(prefix="mixdesk-fuzz-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _state["dir"] = folder
    path: Path = _state["dir"]
    return path


# ---- audio --------------------------------------------------------------------------


def audio_one(data: bytes) -> None:
    """Sniff, open, stream and check a file of these bytes, as ``mixdesk check`` does."""
    from qc.audio.sniff import header_consistent, sniff
    from qc.engine import check_file

    if "profile" not in _state:
        from qc.profiles import load_profile

        _state["profile"] = load_profile("default")
    suffix = AUDIO_SUFFIXES[data[0] % len(AUDIO_SUFFIXES)] if data else ".wav"
    body = data[1:MAX_AUDIO_BYTES]
    header_consistent(sniff(body, len(body)), len(body))  # pure; must never raise
    path = _scratch() / f"input{suffix}"
    path.write_bytes(body)
    result = check_file(path, [_state["profile"]])
    for d in result.diagnostics:
        if "rule crashed" in d.message:
            raise AssertionError(f"{d.code}: {d.message}")


# ---- profiles and config ---------------------------------------------------------------


def profile_one(data: bytes) -> None:
    """Load a profile file (and the ``parent*.toml`` files it may extend, in a chain)."""
    from qc.errors import QCError
    from qc.profiles import load_profile

    child, *parents = data.split(PARENT_MARK)
    folder = _scratch()
    written = {"parent.toml"}
    (folder / "parent.toml").write_bytes(parents[0] if parents else b"")
    for i, text in enumerate(parents[1:], start=2):
        (folder / f"parent{i}.toml").write_bytes(text)
        written.add(f"parent{i}.toml")
    for stale in folder.glob("parent*.toml"):  # left by an earlier input's longer chain
        if stale.name not in written:
            stale.unlink()
    path = folder / "profile.toml"
    path.write_bytes(child)
    with contextlib.suppress(QCError):
        load_profile(str(path))


def config_one(data: bytes) -> None:
    """Load ``mixdesk.toml`` or ``pyproject.toml`` (first byte), then apply it to files."""
    from qc.config import apply_waivers, load_config
    from qc.diagnostic import Diagnostic, Severity
    from qc.errors import QCError
    from qc.profiles import ProfileCache

    name = "pyproject.toml" if data[:1] and data[0] & 1 else "mixdesk.toml"
    folder = _scratch() / "project"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data[1:])
    try:
        config = load_config(path)
        finding = Diagnostic("TP001", "true-peak-ceiling", Severity.ERROR, "fuzz")
        for file in ("mix.wav", "stems/drums_fx.wav", str(folder / "a b/c.flac"), "/x/y.aiff"):
            settings = config.for_file(file)
            apply_waivers([finding], settings.waivers)
        ProfileCache().resolve(config.profile_names())
    except QCError:
        pass


# ---- automation: lane files and scene files -------------------------------------------


def _one_line(err: Exception) -> None:
    """The documented error is one line; a message spanning lines is a bug too."""
    if "\n" in str(err) or "\r" in str(err):
        raise AssertionError(f"a {type(err).__name__} of several lines: {str(err)[:200]!r}")


def lanes_one(data: bytes) -> None:
    """Load a lane file (byte 0: bit 0 picks ``.json``/``.toml``, bit 1 passes a tempo),
    then use the lanes as ``mixdesk automate`` does and write them back in both formats."""
    from bridge.automation.errors import AutomationError
    from bridge.automation.lanefile import load_lanes, save_lanes
    from bridge.automation.timebase import Tempo

    head = data[0] if data else 0
    folder = _scratch() / "lanes"
    folder.mkdir(exist_ok=True)
    path = folder / ("input.json" if head & 1 else "input.toml")
    path.write_bytes(data[1:])
    try:
        lanes = load_lanes(path, Tempo(120.0) if head & 2 else None)
    except AutomationError as err:
        _one_line(err)
        return
    if not lanes:
        return
    start = min(la.start_s for la in lanes)
    end = max(la.end_s for la in lanes)
    for lane in lanes:
        _ = lane.label
        for t in (start, (start + end) / 2, end):
            lane.value_at(t)
        lane.values_at(np.linspace(start, end, 5))
    for suffix in (".toml", ".json"):  # what was loaded must write and load back
        out = folder / f"again{suffix}"
        out.unlink(missing_ok=True)  # save_lanes refuses to replace a file
        save_lanes(lanes, out)
        again = load_lanes(out)
        if [(la.track, la.param, len(la.points)) for la in again] != [
            (la.track, la.param, len(la.points)) for la in lanes
        ]:
            raise AssertionError(f"{suffix} round trip changed the lanes")


def scene_one(data: bytes) -> None:
    """Load one scene, or two (split at a ``#b`` line), diff them as ``mixdesk scene diff``
    does, and write the first back and load it again."""
    from bridge.automation.errors import AutomationError
    from bridge.automation.scene import load_scene, save_scene
    from bridge.automation.scenediff import diff, format_diff

    first, mark, second = data.partition(SCENE_MARK)
    folder = _scratch() / "scenes"
    folder.mkdir(exist_ok=True)
    (folder / "a.toml").write_bytes(first)
    (folder / "b.toml").write_bytes(second if mark else first)
    try:
        a = load_scene(folder / "a.toml")
        b = load_scene(folder / "b.toml")
    except AutomationError as err:
        _one_line(err)
        return
    format_diff(diff(a, b))
    format_diff(diff(b, a))
    out = folder / "again.toml"
    out.unlink(missing_ok=True)  # save_scene refuses to replace a file
    save_scene(a, out)
    again = load_scene(out)
    if diff(a, again):
        raise AssertionError("a saved scene loads back different")


# ---- OSC: the bridge's receiver --------------------------------------------------------


def _sink() -> tuple[str, int]:
    """A bound UDP socket nobody reads: where fuzzed replies and feedback go."""
    if "sink" not in _state:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        atexit.register(sock.close)
        _state["sink"] = sock
    host, port = _state["sink"].getsockname()[:2]
    return str(host), int(port)


def _bridge() -> tuple[Any, list[Any], list[Any], list[BaseException]]:
    """One transport whose handler feeds the selected dialect's mixer, as ``Mixer`` does."""
    if "bridge" not in _state:
        from bridge.dialects.ableton import AbletonDialect
        from bridge.dialects.ardour import ArdourDialect
        from bridge.dialects.reaper import ReaperDialect
        from bridge.errors import BridgeError
        from bridge.mixer.mixer import Mixer
        from bridge.osc.transport import OscTransport

        mixers = [Mixer(d) for d in (ReaperDialect(), ArdourDialect(), AbletonDialect())]
        current: list[Any] = [mixers[0]]
        errors: list[BaseException] = []

        def handle(address: str, args: tuple[object, ...]) -> None:
            try:
                current[0]._on_message(address, args)
            except BridgeError:
                raise
            except Exception as err:
                errors.append(err)
                raise

        transport = OscTransport(_sink(), handle)
        atexit.register(transport.close)
        for m in mixers:
            m._osc = transport
        _state["bridge"] = (transport, mixers, current, errors)
    transport, mixers, current, errors = _state["bridge"]
    return transport, mixers, current, errors


def osc_bridge_one(data: bytes) -> None:
    """Feed one datagram to the bridge's receiver; the first byte picks the dialect."""
    from pythonosc.osc_packet import OscPacket

    from bridge.osc.transport import valid_datagram

    transport, mixers, current, errors = _bridge()
    current[0] = mixers[data[0] % len(mixers)] if data else mixers[0]
    datagram = data[1:]
    errors.clear()
    transport._dispatch(datagram)
    if errors:
        raise errors[0]
    checked = b"/" + datagram[1:] if datagram.startswith(b"#reply") else datagram
    if valid_datagram(checked):
        OscPacket(checked)  # what the checker accepts, python-osc must parse


# ---- OSC: the virtual DAW ----------------------------------------------------------------


def _virtual() -> tuple[Any, list[BaseException]]:
    if "virtual" not in _state:
        import soundfile as sf

        from bridge.errors import BridgeError
        from bridge.virtual.server import VirtualDaw
        from bridge.virtual.stems import load_stems

        folder = _scratch() / "stems"
        folder.mkdir(exist_ok=True)
        t = np.arange(480) / 48000
        for name, freq in (("bass", 55.0), ("keys", 440.0)):
            sf.write(folder / f"{name}.wav", 0.1 * np.sin(2 * np.pi * freq * t), 48000)
        errors: list[BaseException] = []
        renders: list[int] = []

        class FuzzDaw(VirtualDaw):
            def _handle(self, address: str, args: tuple[object, ...]) -> None:
                try:
                    super()._handle(address, args)
                except BridgeError:
                    raise
                except Exception as err:
                    errors.append(err)
                    raise

            def start_render(self) -> Any:
                # The snapshot a render takes, without writing a take per execution.
                with self._lock:
                    self.state.snapshot()
                    for name in self.names:
                        self.recorder.lanes(name)
                renders.append(1)
                return None

        daw = FuzzDaw(
            load_stems(folder, 48000),
            rate=48000,
            render_dir=_scratch() / "renders",
            port=0,
            feedback=_sink(),
        )
        atexit.register(daw.close, wait_renders=False)
        _state["virtual"] = (daw, errors)
    daw, errors = _state["virtual"]
    return daw, errors


def osc_virtual_one(data: bytes) -> None:
    """Feed one datagram to the virtual DAW's endpoint."""
    daw, errors = _virtual()
    errors.clear()
    daw._osc._datagram(data)
    if errors:
        raise errors[0]


def preload() -> None:
    """Import every module the targets use (the runner instruments them while it does)."""
    import pythonosc.osc_packet  # noqa: F401

    import bridge.automation.lanefile
    import bridge.automation.scene
    import bridge.automation.scenediff
    import bridge.dialects.ableton
    import bridge.dialects.ardour
    import bridge.dialects.reaper
    import bridge.mixer.mixer
    import bridge.osc.transport
    import bridge.virtual.server  # noqa: F401
    import qc.audio.reader
    import qc.config
    import qc.engine
    import qc.profiles  # noqa: F401


TARGETS: dict[str, Callable[[bytes], None]] = {
    "audio": audio_one,
    "osc_bridge": osc_bridge_one,
    "osc_virtual": osc_virtual_one,
    "profile": profile_one,
    "config": config_one,
    "lanes": lanes_one,
    "scene": scene_one,
}
"""Target name → one-input function."""
