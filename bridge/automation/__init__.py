"""Automation: lanes and curves, musical time, shapes, lane files and mix scenes.

- :mod:`~bridge.automation.curves`: :func:`interpolate` and the :data:`CURVES`;
- :mod:`~bridge.automation.lane`: :class:`Point` and :class:`Lane` (one parameter
  of one track over time, in s);
- :mod:`~bridge.automation.timebase`: :class:`Tempo` (``"bar:beat"`` to s);
- :mod:`~bridge.automation.shapes`: :func:`ramp`, :func:`fade_in`,
  :func:`fade_out`, :func:`ride`, :func:`duck`, :func:`merge`;
- :mod:`~bridge.automation.lanefile`: :func:`load_lanes`, :func:`save_lanes`
  (TOML or JSON, schema ``mixdesk.lanes/1``);
- :mod:`~bridge.automation.scene`: :class:`Scene`, :func:`capture`,
  :func:`recall`, :func:`diff`, :func:`format_diff`, :func:`save_scene`,
  :func:`load_scene` (schema ``mixdesk.scene/1``).

These modules are pure apart from the scene functions, which talk to a mixer
given to them; nothing here opens a socket or imports more than numpy.
"""

from bridge.automation.builder import LaneBuilder
from bridge.automation.curves import CURVES, Curve, interpolate
from bridge.automation.errors import AutomationError
from bridge.automation.lane import Lane, Point
from bridge.automation.lanefile import LANES_SCHEMA, load_lanes, save_lanes
from bridge.automation.params import param_kind
from bridge.automation.scene import (
    SCENE_SCHEMA,
    Change,
    Scene,
    capture,
    diff,
    format_diff,
    load_scene,
    recall,
    save_scene,
)
from bridge.automation.shapes import duck, fade_in, fade_out, merge, ramp, ride
from bridge.automation.timebase import Tempo

__all__ = [
    "CURVES",
    "LANES_SCHEMA",
    "SCENE_SCHEMA",
    "AutomationError",
    "Change",
    "Curve",
    "Lane",
    "LaneBuilder",
    "Point",
    "Scene",
    "Tempo",
    "capture",
    "diff",
    "duck",
    "fade_in",
    "fade_out",
    "format_diff",
    "interpolate",
    "load_lanes",
    "load_scene",
    "merge",
    "param_kind",
    "ramp",
    "recall",
    "ride",
    "save_lanes",
    "save_scene",
]
