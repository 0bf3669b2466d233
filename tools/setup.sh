#!/usr/bin/env bash
# Installs the Debian packages rmapfuzz needs (see ../shared/TOOLCHAIN.md),
# and only those that are missing. Idempotent: with everything present it
# changes nothing and does not touch the network.
#
#   tools/setup.sh           install what is missing (root, or via sudo)
#   tools/setup.sh --check   exit 0 if everything is present, 1 if not
#
# Do not add Debian's bazel-rules-cc: it breaks Bazel 4.2.3 (the workspace
# brings its own stand-in under third_party/).
set -euo pipefail

PACKAGES=(
  bazel-bootstrap     # Bazel 4.2.3 (+ a JDK)
  build-essential     # gcc 12, make, libc headers
  clang               # clang 14
  llvm                # llvm-symbolizer, llvm-profdata, llvm-cov
  lld                 # needed by afl-clang-lto
  libclang-rt-14-dev  # libFuzzer, ASan, UBSan runtimes for clang
  afl++               # afl-fuzz, afl-clang-fast, libAFLDriver.a
  gnuplot-nox         # afl-plot campaign graphs
)

usage() {
  echo "usage: $0 [--check]" >&2
  exit 2
}

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) usage ;;
esac
[ $# -le 1 ] || usage

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  [ $check_only -eq 1 ] && echo "setup: all packages present" >&2
  exit 0
fi
if [ $check_only -eq 1 ]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: need root to install: ${missing[*]}" >&2
  echo "setup: run as root, or install sudo, or: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
echo "setup: done" >&2
