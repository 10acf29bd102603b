"""Reading TOML files with one-line errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from qc.errors import ProfileError

__all__ = ["read_toml"]


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file.

    Args:
        path: The file.
        what: What the file is, for messages (``profile``, ``config``).

    Raises:
        ProfileError: Missing, a directory, unreadable or invalid TOML.
    """
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise ProfileError(f"{path}: is a directory, not a {what} file") from None
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{path}: invalid TOML: {err}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ProfileError(f"{path}: cannot read: {err}") from None
