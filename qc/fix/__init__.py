"""``mixdesk fix``: mend what mastering can mend, then prove it with a re-check.

Modules:

* :mod:`qc.fix.limiter`: stereo-linked look-ahead true-peak limiter.
* :mod:`qc.fix.gain`: the profiles' loudness target and ceiling; the gain plan.
* :mod:`qc.fix.dither`: TPDF (and sloped TPDF) dither and rounding.
* :mod:`qc.fix.resample`: soxr VHQ sample-rate conversion.
* :mod:`qc.fix.plan`: the delivery format; :mod:`qc.fix.decide`: the plan of one file.
* :mod:`qc.fix.render`: one streaming pass; :mod:`qc.fix.recheck`: the re-check metered
  on the samples as they are written.
* :mod:`qc.fix.run`: one file, end to end; :mod:`qc.fix.overlap`: the input's check beside
  the output's pass; :mod:`qc.fix.album`: one gain for an album.
* :mod:`qc.fix.report`: what was done, before and after, what is left and why.

The Python API is :func:`fix`; the package itself is callable, so
``qc.fix(path, profile="spotify", out="master.spotify.wav")`` works too.

Example:
    >>> import qc.fix
    >>> report = qc.fix("master.wav", profile="spotify", out="m.wav")  # doctest: +SKIP
    >>> report.after.integrated_lufs, report.exit_code()  # doctest: +SKIP
    (-14.0, 0)
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Sequence
from typing import Any

from qc.fix.report import FixReport
from qc.fix.run import FixOptions

__all__ = ["FixOptions", "FixReport", "fix"]


def fix(
    path: str | os.PathLike[str],
    profile: str | Sequence[str] = "default",
    out: str | os.PathLike[str] | None = None,
    *,
    options: FixOptions | None = None,
    **overrides: Any,
) -> FixReport:
    """Fix one file for delivery and re-check it.

    Args:
        path: The input audio file (never modified).
        profile: A shipped profile name, a ``.toml`` path, or a list of them.
        out: The delivery file to write (required; never the input).
        options: How to fix; defaults to :class:`FixOptions`.
        **overrides: Fields of :class:`FixOptions` to change
            (``target_lufs=-16.0``, ``force=True``, ...).

    Returns:
        The report; ``report.exit_code()`` is 0 when the output passes.

    Raises:
        QCError: Bad input: unreadable file, unknown profile, an output that
            exists (without ``force``) or is the input.
    """
    import dataclasses

    from qc.errors import UsageError
    from qc.fix.run import fix_file
    from qc.profiles import ProfileCache

    if out is None:
        raise UsageError("fix needs out=: the delivery file to write")
    names = [profile] if isinstance(profile, str) else list(profile)
    profiles = ProfileCache().resolve(names)
    opts = dataclasses.replace(options or FixOptions(), **overrides)
    return fix_file(os.fspath(path), profiles, os.fspath(out), opts)


class _CallableModule(types.ModuleType):
    """Lets ``qc.fix(...)`` call :func:`fix` although ``qc.fix`` is this package."""

    def __call__(self, *args: Any, **kwargs: Any) -> FixReport:
        return fix(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
