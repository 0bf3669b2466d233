#!/usr/bin/env bash
# Runs the plain (no fuzzer engine) build of a fuzz target over its seeds.
set -euo pipefail
bin=$1; shift
[ $# -gt 0 ] || { echo "no seeds" >&2; exit 1; }
"$bin" "$@"
