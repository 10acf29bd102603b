#!/usr/bin/env bash
# Install the Debian packages the tests use as oracles (ffmpeg, sox), that
# soundfile needs (libsndfile1), and Ardour 7 (package ardour, 7.x on bookworm:
# its ardour7-lua runs a real Ardour headless, no X server, for
# tests/bridge/test_ardour_host.py), chromium (the HTML report), cuetools and
# shntool (album CUE sheets). Runs apt-get only when something is missing.
# Without root it prints what is missing and carries on: those tests then skip
# locally, and fail under CI=true (see tests/conftest.py).
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v sox >/dev/null 2>&1 || need+=(sox)
ldconfig -p 2>/dev/null | grep -q libsndfile.so.1 || need+=(libsndfile1)
command -v ardour7-lua >/dev/null 2>&1 || need+=(ardour)
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # the HTML report opened in a real browser
command -v cuebreakpoints >/dev/null 2>&1 || need+=(cuetools)  # album CUE sheets parsed by cuetools
command -v shntool >/dev/null 2>&1 || need+=(shntool)  # the album image split on those breakpoints
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
    echo "note: missing ${need[*]} (not root or no apt-get); tests that need them will skip" >&2
fi
