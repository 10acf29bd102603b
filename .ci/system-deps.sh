#!/usr/bin/env bash
# Install the Debian packages the tests use as oracles (ffmpeg, sox), that
# soundfile needs (libsndfile1), and Ardour 7 (package ardour, 7.x on bookworm:
# its ardour7-lua runs a real Ardour headless, no X server, for
# tests/bridge/test_ardour_host.py), chromium (the HTML report), cuetools and
# shntool (album CUE sheets). Runs apt-get only when something is missing.
# Without root it prints what is missing and carries on: those tests then skip
# locally, and fail under CI=true (see tests/conftest.py).
#
# With --build: only the C compiler that installing mixdesk uses for its kernels
# (hatch_build.py), run by the Makefile before pip; without it the kernels' numpy
# twins run and, under CI=true, tests/qc/measure/test_native.py fails.
set -euo pipefail
need=()

# Install "${need[@]}" when root with apt-get; else print $1 (what goes without them).
install_needed() {
    [ ${#need[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian packages: ${need[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "note: missing ${need[*]} (not root or no apt-get); $1" >&2
    fi
}

if [ "${1:-}" = "--build" ]; then
    command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
    install_needed "mixdesk's kernels will run as numpy"
    exit 0
fi
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v sox >/dev/null 2>&1 || need+=(sox)
ldconfig -p 2>/dev/null | grep -q libsndfile.so.1 || need+=(libsndfile1)
command -v ardour7-lua >/dev/null 2>&1 || need+=(ardour)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # the HTML report opened in a real browser
command -v cuebreakpoints >/dev/null 2>&1 || need+=(cuetools)  # album CUE sheets parsed by cuetools
command -v shntool >/dev/null 2>&1 || need+=(shntool)  # the album image split on those breakpoints
install_needed "tests that need them will skip"
