#!/usr/bin/env bash
# Release check: build the wheel and sdist, install the wheel into a fresh virtual
# environment outside the repository, and run the installed mixdesk from a folder
# outside the repository (so nothing can come from the source tree):
#   mixdesk --version, mixdesk rules and the shipped profiles, the compiled kernels
#   (hatch_build.py) in use, mixdesk demo,
#   mixdesk check --profile spotify on the demo's bounce (exit 0 or 1 accepted).
# Dependencies come from pip's configured index. Usage: .ci/release-check.sh [PYTHON]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-${PYTHON:-python3}}"
started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/mixdesk-release-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
case "$work" in "$repo"/*) echo "release-check: FAIL: $work is inside the repository" >&2; exit 1;; esac

step() { printf '\n== release-check: %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() { echo "release-check: FAIL: $*" >&2; exit 1; }
run() { echo "+ $*"; "$@" || fail "'$*' exited with status $?"; }

step "building wheel and sdist into $work/dist"
echo "+ $python -m build --outdir $work/dist $repo"
"$python" -m build --outdir "$work/dist" "$repo" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; fail "python -m build (log above)"; }
shopt -s nullglob
wheels=("$work"/dist/mixdesk-*.whl)
sdists=("$work"/dist/mixdesk-*.tar.gz)
[ ${#wheels[@]} -eq 1 ] || fail "expected one wheel in $work/dist, found ${#wheels[@]}"
[ ${#sdists[@]} -eq 1 ] || fail "expected one sdist in $work/dist, found ${#sdists[@]}"
wheel="${wheels[0]}"
echo "built $(basename "$wheel") and $(basename "${sdists[0]}")"
listing="$(tar -tzf "${sdists[0]}")" || fail "cannot list ${sdists[0]}"
grep -q '/CHANGELOG.md$' <<<"$listing" || fail "sdist lacks CHANGELOG.md"

step "installing the wheel into a fresh venv in $work/venv"
run "$python" -m venv "$work/venv"
bin="$work/venv/bin"
run "$bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"

mkdir "$work/cwd"
cd "$work/cwd"
export PYTHONNOUSERSITE=1
unset PYTHONPATH

step "mixdesk --version (from $PWD)"
version="$("$bin/mixdesk" --version)" || fail "mixdesk --version"
echo "$version"
expected="mixdesk $("$bin/python" -c 'import importlib.metadata as m; print(m.version("mixdesk"))')"
[ "$version" = "$expected" ] || fail "--version says '$version', metadata says '$expected'"

step "the installed packages come from the venv, not the repository"
run "$bin/python" - "$repo" <<'EOF'
import sys
from pathlib import Path

import bridge
import qc
from qc.profiles import available_profiles, load_profile, rules_dir

repo = Path(sys.argv[1]).resolve()
for module in (qc, bridge):
    where = Path(module.__file__).resolve()
    if where.is_relative_to(repo):
        sys.exit(f"{module.__name__} imported from the repository: {where}")
    print(f"{module.__name__} {getattr(module, '__version__', '?')} from {where.parent}")
names = available_profiles()
for name in names:
    load_profile(name)
print(f"{len(names)} shipped profiles load from {rules_dir()}: {', '.join(names)}")
if len(names) < 15 or "spotify" not in names:
    sys.exit("shipped profiles missing from the wheel")
from qc.measure import native
print(f"compiled kernels: {native.status()}")
if not native.available():
    sys.exit("the wheel's compiled kernels are not in use (hatch_build.py)")
EOF

step "mixdesk rules"
"$bin/mixdesk" rules >"$work/rules.txt" || fail "mixdesk rules exited with status $?"
grep -q '^TP001 ' "$work/rules.txt" || fail "mixdesk rules does not list TP001"
echo "$(wc -l <"$work/rules.txt") rules listed"

step "mixdesk demo --seconds 8 --keep $work/demo"
run "$bin/mixdesk" demo --seconds 8 --keep "$work/demo"
bounce="$work/demo/renders/mix-take01.wav"
[ -f "$bounce" ] || fail "the demo left no bounce at $bounce"

step "mixdesk check --profile spotify on the demo's bounce"
echo "+ $bin/mixdesk check --profile spotify --format text $bounce"
status=0
"$bin/mixdesk" check --profile spotify --format text "$bounce" || status=$?
case $status in
    0) echo "exit 0 (no findings)" ;;
    1) echo "exit 1 (findings)" ;;
    *) fail "mixdesk check exited with status $status" ;;
esac

step "completion script"
"$bin/mixdesk" completion bash | bash -n || fail "mixdesk completion bash is not valid bash"

step "PASS in $((SECONDS - started)) s"
