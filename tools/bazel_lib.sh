# bazel_lib.sh - sourced by the launcher and the campaign scripts: the one
# way they start Bazel.
#
# Bazel runs with only stdin, stdout and stderr open.  Its server outlives
# the command by hours and inherits every descriptor of the client that
# started it: a CI job that serialises with `flock 9` or reads the
# launcher's output through a pipe would hang until `bazel shutdown`.
#
#   bazel_cmd COMMAND ARGS...     Bazel from the workspace root ($ROOT), all
#                                 its output on stderr
#   bazel_bin CONFIG TARGET       build TARGET with --config=CONFIG (or
#                                 CONFIG+CONFIG... for several; output shown
#                                 only on failure) and print the executable's
#                                 absolute path; 1 on failure
# Needs ROOT (the workspace) set by the caller.

BAZEL_UI=(--color=no --curses=no --noshow_progress --noshow_loading_progress)

# Runs "$@" with every descriptor above 2 closed.
bazel_fdless() {
  (
    local fd
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    exec "$@"
  )
}

bazel_cmd() {
  local cmd=$1; shift
  (cd "$ROOT" && bazel_fdless bazel "$cmd" "${BAZEL_UI[@]}" "$@") >&2
}

# config_flags CONFIG[+CONFIG...]: the Bazel flags of one or more configs;
# a combination gets a --platform_suffix of its own (configs overwrite each
# other's suffix, and so each other's outputs).
config_flags() {
  local c suffix="" parts
  IFS=+ read -r -a parts <<<"$1"
  for c in "${parts[@]}"; do
    printf '%s\n' "--config=$c"
    suffix+="-$c"
  done
  [ ${#parts[@]} -eq 1 ] || printf '%s\n' "--platform_suffix=$suffix"
}

bazel_bin() {
  local config=$1 target=$2 log path flags
  mapfile -t flags < <(config_flags "$config")
  log=$(mktemp "${TMPDIR:-/tmp}/rmapfuzz-build.XXXXXX")
  if ! bazel_cmd build "${flags[@]}" "$target" 2>"$log"; then
    cat "$log" >&2; rm -f "$log"
    echo "rmapfuzz: build of $target failed" >&2
    return 1
  fi
  if ! path=$(cd "$ROOT" && bazel_fdless bazel cquery "${BAZEL_UI[@]}" \
      "${flags[@]}" "$target" --output=starlark \
      --starlark:expr='target.files_to_run.executable.path' 2>"$log"); then
    cat "$log" >&2; rm -f "$log"
    echo "rmapfuzz: cannot locate the binary of $target" >&2
    return 1
  fi
  rm -f "$log"
  path=$ROOT/$(printf '%s\n' "$path" | tail -n 1)
  [ -x "$path" ] || { echo "rmapfuzz: built $target but found no executable at $path" >&2; return 1; }
  printf '%s\n' "$path"
}
