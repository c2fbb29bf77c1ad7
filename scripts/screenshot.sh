#!/usr/bin/env bash
# The README's screenshot: the real app on a virtual display, showing the 1/7 strip and its
# posterior as a user sees them after clicking the "1 / 7" button, grabbed once both are on screen.
#   scripts/screenshot.sh [CHECKPOINT]    default: the model built into the app
# Writes docs/screenshot.png. Needs the app built in build/ (scripts/pixelmix.sh run does it;
# PIXELMIX_BUILD_DIR names another build folder), xvfb-run and ImageMagick's import.
set -euo pipefail

# Inside the virtual display: start the app full-screen (no window manager there), wait for its
# line saying the strip and posterior are on screen, let it paint, grab the screen.
grab() {
  local app=$1 out=$2 log=$3 pair=$4 screen=$5; shift 5
  "$app" --show-pair "$pair" -geometry "$screen+0+0" "$@" >"$log" 2>&1 &
  local pid=$! waited=0
  until grep -q 'on screen' "$log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "the app ended early" >&2; return 1; }
    [ $waited -lt 300 ] || { kill "$pid"; cat "$log" >&2; echo "no strip and posterior after 5 minutes" >&2; return 1; }
    sleep 1
    waited=$((waited + 1))
  done
  sleep 1
  import -window root "$out"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

if [ "${1:-}" = --grab ]; then  # this script again, run by xvfb-run below
  shift
  grab "$@"
  exit
fi

say() { printf 'screenshot: %s\n' "$*"; }
die() { printf 'screenshot: error: %s\n' "$*" >&2; exit 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
app=$repo/${PIXELMIX_BUILD_DIR:-build}/app/pixelmix
out=$repo/docs/screenshot.png
screen=1400x900
pair=1-7
rows=4
[ -x "$app" ] || die "$app is missing: build it first (scripts/pixelmix.sh run)"
command -v xvfb-run >/dev/null || die "xvfb-run is missing (apt-get install xvfb xauth)"
command -v import >/dev/null || die "import is missing (apt-get install imagemagick)"
checkpoint=()
if [ $# -gt 0 ]; then
  [ -f "$1" ] || die "$1: no such checkpoint"
  checkpoint=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")")
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Settings and runs of this app instance stay in the scratch folder, away from the user's.
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data XDG_RUNTIME_DIR=$scratch/runtime
mkdir -m 700 "$XDG_RUNTIME_DIR"
# Four rows (seeds 1 to 4): the strip fills its panel and the chart shows each row's points.
mkdir -p "$XDG_CONFIG_HOME/PixelMix"
printf '[sampling]\nrows=%d\n' "$rows" >"$XDG_CONFIG_HOME/PixelMix/pixelmix.conf"

say "starting $app on a ${screen} virtual display, showing ${pair}${checkpoint:+ with ${checkpoint[0]}}"
xvfb-run -a -s "-screen 0 ${screen}x24" "${BASH_SOURCE[0]}" --grab \
  "$app" "$out" "$scratch/app.log" "$pair" "$screen" "${checkpoint[@]}"
say "wrote $out"
