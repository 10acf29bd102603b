"""The file and its header, checked before a decoder opens it: one-line reasons naming why.

A regular, non-empty file (not a folder, FIFO, broken link or link loop); a WAV
``fmt `` or AIFF ``COMM`` whose channels, sample rate (AIFF's 80-bit extended
float included) and block align make sense; a size the header agrees with.
Every failure is `qc.errors.AudioReadError` with a reason short enough for one
line. Used by both readers (:mod:`qc.audio.reader`, :mod:`qc.audio.av_reader`).
"""

from __future__ import annotations

import errno
import math
import os
import stat

from qc.audio.sniff import HEAD_BYTES, Container, _chunks, _u, _wave_fields, header_consistent
from qc.errors import AudioReadError

__all__ = [
    "MAX_RATE",
    "MIN_RATE",
    "error_reason",
    "extended80",
    "fmt_fields",
    "header_problem",
    "one_line",
    "rate_problem",
    "read_head",
    "stat_regular",
]

_MAX_REASON_CHARS = 200
# The meters' range: below ~3.5 kHz the K-weighting shelf (1.68 kHz) is past Nyquist.
MIN_RATE, MAX_RATE = 8000, 768000
_PCM_TAGS = frozenset({1, 3})  # WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT


def one_line(text: str) -> str:
    """First non-empty line of ``text``, whitespace collapsed, length capped."""
    for raw in text.splitlines():
        line = " ".join(raw.split()).rstrip(".")
        if line:
            return line[:_MAX_REASON_CHARS]
    return ""


def error_reason(err: BaseException) -> str:
    """Concise one-line reason for a soundfile/libsndfile/OS error."""
    if isinstance(err, OSError) and err.strerror:
        text = err.strerror
    else:
        text = str(getattr(err, "error_string", "") or err)
    reason = one_line(text)
    if not reason:
        code = getattr(err, "code", None)
        reason = f"libsndfile error {code}" if code is not None else type(err).__name__
    return reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason


def read_head(fs_path: str, shown: str) -> tuple[int, bytes]:
    """Size in bytes and the first `HEAD_BYTES` of a regular file, for sniffing.

    Raises:
        AudioReadError: Missing, not a regular file, or unreadable.
    """
    size = stat_regular(fs_path, shown)
    try:
        with open(fs_path, "rb") as fh:
            return size, fh.read(HEAD_BYTES)
    except OSError as e:
        raise AudioReadError(shown, error_reason(e)) from e


def stat_regular(fs_path: str, shown: str) -> int:
    """Size in bytes of a regular file, else `AudioReadError` with a clear reason."""
    try:
        st = os.stat(fs_path)
    except FileNotFoundError:
        broken = os.path.islink(fs_path)
        reason = "broken symbolic link (target does not exist)" if broken else "no such file"
        raise AudioReadError(shown, reason) from None
    except PermissionError:
        raise AudioReadError(shown, "permission denied") from None
    except OSError as e:
        reason = "symbolic link loop" if e.errno == errno.ELOOP else error_reason(e)
        raise AudioReadError(shown, reason) from e
    except ValueError as e:  # embedded NUL byte
        raise AudioReadError(shown, f"invalid path ({error_reason(e)})") from e
    if stat.S_ISDIR(st.st_mode):
        raise AudioReadError(shown, "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise AudioReadError(shown, "not a regular file")
    if st.st_size == 0:
        raise AudioReadError(shown, "empty file")
    return st.st_size


def rate_problem(rate: float, declared: str = "header declares a ") -> str | None:
    """Reason a sample rate cannot be measured (zero, NaN, Inf, out of range), or None."""
    if not math.isfinite(rate) or rate <= 0:
        return f"{declared}sample rate of {rate:g} Hz"
    if not MIN_RATE <= rate <= MAX_RATE:
        shown = f"{rate:,.0f}" if rate < 1e12 else f"{rate:.3g}"
        supported = f"{MIN_RATE // 1000} to {MAX_RATE // 1000} kHz"
        return f"{declared}sample rate of {shown} Hz, outside the supported {supported}"
    return None


def extended80(raw: bytes) -> float:
    """An IEEE 754 80-bit extended float (big-endian), as AIFF stores its sample rate."""
    sign_exp, mantissa = int.from_bytes(raw[:2], "big"), int.from_bytes(raw[2:10], "big")
    exp = (sign_exp & 0x7FFF) - 16383 - 63
    if sign_exp & 0x7FFF == 0x7FFF:
        return math.nan if mantissa & ((1 << 63) - 1) else math.inf
    value = math.inf if exp > 959 else math.ldexp(float(mantissa), exp)  # < 2**64 * 2**959
    return -value if sign_exp & 0x8000 else value


def fmt_fields(head: bytes) -> tuple[int | None, float | None, str | None]:
    """Channels, sample rate and a block-align problem from a WAV ``fmt `` or AIFF ``COMM``."""
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        for cid, body, _size in _chunks(head, 12, "big"):
            if cid == b"COMM" and len(head) >= body + 18:
                return _u(head, body, 2, "big"), extended80(head[body + 8 : body + 18]), None
        return None, None, None
    tag, channels, rate = _wave_fields(head)
    for cid, body, size in _chunks(head, 12, "little") if tag is not None else ():
        if cid != b"fmt ":
            continue
        if size < 16:  # the fields past its end belong to the next chunk
            return None, None, f"header has a 'fmt ' chunk of {size} bytes, not the 16 it needs"
        align, bits = _u(head, body + 12, 2), _u(head, body + 14, 2)
        effective = _u(head, body + 24, 2) if tag == 0xFFFE else tag
        if effective in _PCM_TAGS and channels and bits and align is not None:
            need = channels * ((bits + 7) // 8)
            if align != need:
                why = f"a block align of {align} bytes, but {channels} channels of {bits}-bit"
                return channels, rate, f"header declares {why} samples take {need}"
        break
    return channels, rate, None


def header_problem(head: bytes, container: Container, size: int) -> str | None:
    """Reason the header cannot be trusted (zero channels or rate, size mismatch), or None."""
    channels, rate, align = fmt_fields(head)
    if channels == 0:
        return "header declares 0 channels"
    if rate is not None and (problem := rate_problem(rate)) is not None:
        return problem
    return align or header_consistent(container, size)
