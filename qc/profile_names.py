r"""What a profile name or profile path may look like, checked before the filesystem sees it.

A bare name (``spotify``) names a shipped profile: at most 255 characters, no
path separator (``/`` makes it a path, ``\\`` is refused) and not ``.`` or
``..``. A path (ending in ``.toml`` or containing ``/``) may have no part
longer than 255 bytes and no more than 4096 bytes in all, the limits of common
filesystems. Neither may contain a NUL character. Each violation is one
:class:`~qc.errors.ProfileError` line, instead of an ``OSError`` from deep
inside ``pathlib``.
"""

from __future__ import annotations

from qc.errors import ProfileError

__all__ = ["MAX_NAME", "MAX_PATH", "check_profile_name", "is_profile_path"]

MAX_NAME = 255
"""Longest profile name, and longest part of a profile path (in bytes)."""

MAX_PATH = 4096
"""Longest profile path, in bytes."""


def is_profile_path(name: str) -> bool:
    """Whether ``name`` is a path (``*.toml`` or with a ``/``) rather than a shipped name."""
    return name.endswith(".toml") or "/" in name


def check_profile_name(name: str) -> None:
    """Refuse a profile name or path the filesystem would choke on.

    Args:
        name: As written (``--profile``, ``profile =``, ``extends =``).

    Raises:
        ProfileError: Without a file prefix; callers add the file that named it.
    """
    shown = repr(name if len(name) <= 40 else name[:40] + "...")
    if "\0" in name:
        raise ProfileError(f"profile name {shown} contains a NUL character")
    if is_profile_path(name):
        encoded = name.encode("utf-8", "surrogateescape")
        if len(encoded) > MAX_PATH:
            raise ProfileError(f"profile path {shown} is longer than {MAX_PATH} bytes")
        if any(len(part) > MAX_NAME for part in encoded.split(b"/")):
            raise ProfileError(f"profile path {shown} has a part longer than {MAX_NAME} bytes")
        return
    if len(name) > MAX_NAME:
        raise ProfileError(f"profile name {shown} is longer than {MAX_NAME} characters")
    if "\\" in name or name in (".", ".."):
        raise ProfileError(f"profile name {shown} contains a path separator")
