"""Build hook: compile ``qc/measure/native/kernels.c`` into ``_kernels.so`` at install time.

hatchling runs :class:`NativeKernels` for every wheel, editable ones included
(``pip install -e .``: the library is written beside ``kernels.c`` in the
source tree). It is compiled once, here, so no run of mixdesk compiles
anything. Without a C compiler the build goes on without it (a warning says
so) and mixdesk uses the numpy twins of the kernels; ``mixdesk --version``
tells which is in use. ``python hatch_build.py`` rebuilds the library in place.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "qc" / "measure" / "native" / "kernels.c"
NAME = "_kernels.dll" if sys.platform == "win32" else "_kernels.so"
TARGET = "qc/measure/native/" + NAME  # its path inside the wheel

# No -march: the library must run on any machine of the wheel's platform (kernels.c picks
# AVX2 code at load time where the machine has it). gnu99: multiply-adds may be fused.
FLAGS = ["-O3", "-std=gnu99", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror"]


def compiler() -> list[str] | None:
    """The C compiler command ($CC, else cc, gcc or clang), or None."""
    env = os.environ.get("CC") or sysconfig.get_config_var("CC")
    if env:
        cmd = shlex.split(str(env))
        if cmd and shutil.which(cmd[0]):
            return cmd
    for name in ("cc", "gcc", "clang"):
        if shutil.which(name):
            return [name]
    return None


def compile_kernels(out: Path) -> str | None:
    """Compile the kernels into ``out``; return None, or why it could not be done."""
    cc = compiler()
    if cc is None:
        return "no C compiler (set CC, or install gcc)"
    stamp = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    cmd = [*cc, *FLAGS, f'-DMIXDESK_KERNELS_HASH="{stamp}"', "-o", str(out), str(SOURCE), "-lm"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"{shlex.join(cmd)} failed:\n{done.stderr.strip()}"
    return None


class NativeKernels(BuildHookInterface[Any]):
    """Compile the kernels into every wheel (platform-tagged) and editable install."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile, and put the library in the wheel (or beside its source, editable)."""
        if self.target_name != "wheel":
            return
        if version == "editable":
            out = SOURCE.with_name(NAME)
        else:
            out = Path(tempfile.mkdtemp(prefix="mixdesk-kernels-")) / NAME
        why = compile_kernels(out)
        if why is not None:
            warning = f"warning: mixdesk's compiled kernels not built, numpy used: {why}"
            print(warning, file=sys.stderr)
            return
        if version != "editable":
            build_data["force_include"][str(out)] = TARGET
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        self._built = out

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary library of a regular wheel once it is packed."""
        built = getattr(self, "_built", None)
        if built is not None and version != "editable":
            shutil.rmtree(built.parent, ignore_errors=True)


if __name__ == "__main__":
    failure = compile_kernels(SOURCE.with_name(NAME))
    if failure is not None:
        sys.exit(f"error: {failure}")
    print(f"built {SOURCE.with_name(NAME).relative_to(ROOT)}")
