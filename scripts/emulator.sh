#!/usr/bin/env bash
# Process management for the local Lambda emulators (moto, LocalStack) that
# lambda-conform can run its CreateFunction suite against.
#
#   scripts/emulator.sh install moto|localstack
#   scripts/emulator.sh start   moto|localstack STATE_DIR   # prints the URL
#   scripts/emulator.sh stop    STATE_DIR
#   scripts/emulator.sh run     moto|localstack -- CMD ARGS...
#   scripts/emulator.sh up      moto|localstack             # start (or reuse) .emulators/<name>-up
#   scripts/emulator.sh down                                # stop every .emulators/*-up
#
# Pinned versions are installed from PyPI into project-local venvs
# (.venv-moto/, .venv-localstack/ at the repository root). Emulators listen on
# 127.0.0.1 only; `start` checks that and refuses to keep one that does not.
# See shared/reference/EMULATORS.md for why LocalStack needs every setting below.
#
# Exit codes: 0 ok, 2 usage error, 3 environment/emulator failure;
# `run` exits with the command's own exit code (130/143 when interrupted).
#
# Environment knobs:
#   EMULATOR_PYTHON    interpreter used to create the LocalStack venv (>= 3.12)
#                      or the moto venv (>= 3.9) instead of searching for one
#   EMULATOR_READY_TIMEOUT seconds to wait for readiness (default: moto 30, LocalStack 120)
#   EMULATOR_KEEP_STATE=1  `run` keeps .emulators/<name>-<pid>/ (server.log) afterwards
set -euo pipefail

readonly MOTO_VERSION="5.2.5"
readonly LOCALSTACK_VERSION="2026.3.0"
readonly MOTO_REQS=("moto[server]==${MOTO_VERSION}")
readonly LOCALSTACK_REQS=("localstack-core[runtime]==${LOCALSTACK_VERSION}" 'cbor2<6' 'pyopenssl<26' 'cryptography<47' 'service-identity')
readonly MOTO_READY_TIMEOUT=30
readonly LOCALSTACK_READY_TIMEOUT=120
readonly STOP_TIMEOUT=15
# LocalStack's S3 object store (which Lambda uses for code zips) ignores
# FILESYSTEM_ROOT and is hard-coded to this shared path.
readonly LOCALSTACK_S3_STORAGE="/tmp/localstack-s3-storage"

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd)"
readonly SCRIPT_DIR ROOT

log() { printf 'emulator.sh: %s\n' "$*" >&2; }
die() {
  local code="$1"
  shift
  log "error: $*"
  exit "$code"
}
usage() {
  sed -n '5,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

now() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

check_name() {
  case "${1:-}" in
    moto | localstack) ;;
    *) die 2 "unknown emulator '${1:-}' (expected moto or localstack)" ;;
  esac
}

venv_dir() { printf '%s/.venv-%s' "$ROOT" "$1"; }

# ---------------------------------------------------------------- python ----

# py_ok PYTHON MINOR: PYTHON runs, is CPython 3.MINOR or newer and has venv.
# (pyenv shims for versions that are installed but not selected exist on PATH
# and fail when run, so every candidate is executed, not just looked up.)
py_ok() {
  "$1" -c "import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, $2) else 1)" >/dev/null 2>&1
}

# find_python NAME: print the path of an interpreter suitable for NAME's venv.
find_python() {
  local minor cand
  local -a cands=()
  if [[ "$1" == localstack ]]; then minor=12; else minor=9; fi
  if [[ -n "${EMULATOR_PYTHON:-}" ]]; then
    py_ok "$EMULATOR_PYTHON" "$minor" ||
      die 3 "EMULATOR_PYTHON=$EMULATOR_PYTHON is not a working Python >= 3.$minor with the venv module"
    printf '%s' "$EMULATOR_PYTHON"
    return
  fi
  # Newest first; LocalStack needs >= 3.12 (PEP 695 syntax) although its
  # metadata says >= 3.10.
  for cand in python3.14 python3.13 python3.12; do
    cands+=("$(command -v "$cand" 2>/dev/null || true)")
  done
  shopt -s nullglob
  local -a found=("$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3.1[2-9] /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9])
  shopt -u nullglob
  if [[ ${#found[@]} -gt 0 ]]; then
    while IFS= read -r cand; do cands+=("$cand"); done < <(printf '%s\n' "${found[@]}" | sort -r -V)
  fi
  if [[ "$1" == moto ]]; then
    cands=("$(command -v python3 2>/dev/null || true)" /usr/bin/python3 "${cands[@]}")
  fi
  for cand in "${cands[@]}"; do
    [[ -n "$cand" && -x "$cand" ]] || continue
    if py_ok "$cand" "$minor"; then
      # The real interpreter behind a pyenv shim or symlink.
      "$cand" -c 'import sys; print(sys.executable, end="")'
      return
    fi
  done
  if [[ "$1" == localstack ]]; then
    die 3 "LocalStack ${LOCALSTACK_VERSION} needs Python >= 3.12 with the venv module and none was found" \
      "(looked for python3.14/3.13/3.12 on PATH, in ~/.pyenv/versions/*/bin, /usr/bin, /usr/local/bin)." \
      "Install one (e.g. 'pyenv install 3.12', or actions/setup-python in CI) or set EMULATOR_PYTHON=/path/to/python3.12."
  fi
  die 3 "moto needs Python >= 3.9 with the venv module (python3 -m venv) and none was found; set EMULATOR_PYTHON."
}

# --------------------------------------------------------------- install ----

# installed_ok NAME: the venv holds exactly the pinned requirement set.
installed_ok() {
  local venv want pkg ver minor
  venv="$(venv_dir "$1")"
  if [[ "$1" == moto ]]; then
    pkg=moto ver="$MOTO_VERSION" minor=9
    want="${MOTO_REQS[*]}"
  else
    pkg=localstack-core ver="$LOCALSTACK_VERSION" minor=12
    want="${LOCALSTACK_REQS[*]}"
  fi
  [[ -x "$venv/bin/python" && -f "$venv/.lc-requirements" ]] || return 1
  [[ "$(cat "$venv/.lc-requirements")" == "$want" ]] || return 1
  py_ok "$venv/bin/python" "$minor" || return 1
  [[ "$("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('$pkg'))" 2>/dev/null)" == "$ver" ]]
}

cmd_install() {
  [[ $# -eq 1 ]] || usage
  check_name "$1"
  local name="$1" venv py t0
  local -a reqs
  venv="$(venv_dir "$name")"
  if [[ "$name" == moto ]]; then reqs=("${MOTO_REQS[@]}"); else reqs=("${LOCALSTACK_REQS[@]}"); fi

  # Serialise concurrent installs of the same venv (e.g. `make -j`).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"${venv}.lock"
    flock 9
  fi
  if installed_ok "$name"; then
    log "$name already installed in ${venv#"$ROOT"/} (${reqs[0]})"
    exec 9>&-
    return 0
  fi
  py="$(find_python "$name")"
  t0="$(now)"
  log "installing ${reqs[*]} into ${venv#"$ROOT"/} with $py ($("$py" -c 'import platform; print(platform.python_version())'))"
  rm -f "$venv/.lc-requirements"
  "$py" -m venv --clear "$venv" || die 3 "could not create the venv $venv with $py"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --no-input --progress-bar off -q "${reqs[@]}" ||
    die 3 "pip install of ${reqs[*]} failed"
  printf '%s' "${reqs[*]}" >"$venv/.lc-requirements"
  installed_ok "$name" || die 3 "$name installed but the version check failed"
  log "installed $name in $(elapsed "$t0") s"
  exec 9>&-
}

# ----------------------------------------------------------------- procs ----

# session_pids SID: every live process of the emulator's session. The emulator
# is started with setsid, so its pid is the session id; Linux does not reuse a
# pid while a session still refers to it, so this never matches a stranger.
# Zombies are left out: the emulator is reparented to pid 1, which may take a
# while to reap it (seen here: several seconds), and a zombie holds no port.
session_pids() {
  ps -eo pid=,sid=,stat= 2>/dev/null | awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'
}

alive() { [[ -n "$(session_pids "$1")" ]]; }

# ours PID: a recorded pid still names one of our emulators' sessions. While
# the leader lives, its command line must be the emulator's (a recycled pid
# would show something else); once it has exited, Linux keeps the id reserved
# for as long as any member of the session remains, so those members are ours.
ours() {
  local info
  [[ "$1" =~ ^[0-9]+$ ]] && alive "$1" || return 1
  info="$(ps -o stat=,args= -p "$1" 2>/dev/null || true)"
  [[ -z "$info" || "$info" == Z* || "$info" == *moto.server* || "$info" == *localstack.runtime.main* ]]
}

# listening_sockets PID...: "proto local_address" for every listening TCP or
# bound UDP socket owned by one of the pids.
listening_sockets() {
  local pids=" $* "
  if [[ -z "${EMULATOR_NO_SS:-}" ]] && command -v ss >/dev/null 2>&1; then
    ss -H -ltunp 2>/dev/null | while read -r proto _state _rq _sq local _peer rest; do
      local p
      while read -r p; do
        if [[ "$pids" == *" ${p#pid=} "* ]]; then
          printf '%s %s\n' "$proto" "$local"
          break
        fi
      done < <(grep -o 'pid=[0-9]*' <<<"$rest")
    done
    return
  fi
  # Fallback without ss: map the processes' socket inodes to /proc/net/*.
  local p inodes=""
  for p in "$@"; do
    inodes+=" $(find "/proc/$p/fd" -maxdepth 1 -type l -printf '%l\n' 2>/dev/null |
      sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')"
  done
  local f
  for f in tcp tcp6 udp udp6; do
    [[ -r "/proc/net/$f" ]] || continue
    awk -v proto="$f" -v inodes=" $inodes " '
      function hex(h,   i, n) { n = 0; h = toupper(h); for (i = 1; i <= length(h); i++) n = n * 16 + index("0123456789ABCDEF", substr(h, i, 1)) - 1; return n }
      function ip4(h,   i, s) { s = ""; for (i = 7; i >= 1; i -= 2) s = s (s == "" ? "" : ".") hex(substr(h, i, 2)); return s }
      NR > 1 {
        if (index(inodes, " " $10 " ") == 0) next
        if (proto ~ /^tcp/ && $4 != "0A") next
        if (proto ~ /^udp/ && $4 != "07") next
        split($2, a, ":"); port = hex(a[2])
        if (length(a[1]) == 8) addr = ip4(a[1])
        else if (a[1] == "00000000000000000000000001000000") addr = "[::1]"
        else if (a[1] == "00000000000000000000000000000000") addr = "[::]"
        else addr = "[" a[1] "]"
        print (proto ~ /^tcp/ ? "tcp" : "udp"), addr ":" port
      }' "/proc/net/$f"
  done
}

# check_loopback_only SID PORT: the emulator listens on 127.0.0.1:PORT and on
# nothing but 127.0.0.1 (in particular not 0.0.0.0 / [::] and not port 53).
check_loopback_only() {
  local sid="$1" port="$2" socks bad=""
  # shellcheck disable=SC2046 # word splitting of the pid list is intended
  socks="$(listening_sockets $(session_pids "$sid"))"
  while read -r proto addr; do
    [[ -n "$proto" ]] || continue
    case "$addr" in
      127.0.0.1:53 | *:53) bad+="  $proto $addr (DNS port)"$'\n' ;;
      127.0.0.1:*) ;;
      *) bad+="  $proto $addr"$'\n' ;;
    esac
  done <<<"$socks"
  if [[ -n "$bad" ]]; then
    log "the emulator listens beyond 127.0.0.1:"
    printf '%s' "$bad" >&2
    return 1
  fi
  if ! grep -qx "tcp 127.0.0.1:$port" <<<"$socks"; then
    log "the emulator (session $sid) does not listen on 127.0.0.1:$port; its sockets: ${socks:-none}"
    return 1
  fi
}

free_port() {
  "$1" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# probe NAME URL PYTHON: 0 once the emulator answers as ready.
probe() {
  "$3" - "$1" "$2" <<'PY' >/dev/null 2>&1
import json, sys, urllib.error, urllib.request
name, url = sys.argv[1], sys.argv[2]
try:
    if name == "moto":
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
        except urllib.error.HTTPError:
            pass  # any HTTP answer means the server is up
        sys.exit(0)
    health = json.load(urllib.request.urlopen(url + "/_localstack/health", timeout=2))
    services = health.get("services", {})
    ok = all(services.get(s) in ("available", "running") for s in ("lambda", "iam"))
    sys.exit(0 if ok else 1)
except Exception:
    sys.exit(1)
PY
}

tail_log() {
  if [[ -s "$1/server.log" ]]; then
    log "last lines of $1/server.log:"
    tail -n 25 "$1/server.log" >&2
  else
    log "$1/server.log is empty"
  fi
}

# ----------------------------------------------------------------- start ----

# launch NAME STATE_DIR PORT: start the emulator in its own session; prints pid.
launch() {
  local name="$1" dir="$2" port="$3" venv
  venv="$(venv_dir "$name")"
  if [[ "$name" == moto ]]; then
    setsid "$venv/bin/python" -m moto.server -H 127.0.0.1 -p "$port" \
      </dev/null >>"$dir/server.log" 2>&1 &
  else
    mkdir -p "$dir/fs/config" "$dir/tmp"
    env OVERRIDE_IN_DOCKER=0 \
      FILESYSTEM_ROOT="$dir/fs" CONFIG_DIR="$dir/fs/config" \
      GATEWAY_LISTEN="127.0.0.1:$port" GATEWAY_SERVER=hypercorn \
      DNS_ADDRESS=0 SERVICES=lambda,iam EAGER_SERVICE_LOADING=1 \
      DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 TMPDIR="$dir/tmp" \
      setsid "$venv/bin/python" -m localstack.runtime.main \
      </dev/null >>"$dir/server.log" 2>&1 &
  fi
  printf '%s' "$!"
}

cmd_start() {
  [[ $# -eq 2 ]] || usage
  check_name "$1"
  local name="$1" dir="$2" venv py pid port url t0 limit attempt
  venv="$(venv_dir "$name")"
  installed_ok "$name" || die 3 "$name is not installed; run: scripts/emulator.sh install $name"
  py="$venv/bin/python"
  mkdir -p "$dir"
  dir="$(cd -- "$dir" && pwd)"
  if [[ -f "$dir/pid" ]] && ours "$(cat "$dir/pid")"; then
    die 3 "an emulator is already running from $dir ($(cat "$dir/url" 2>/dev/null || echo '?')); stop it first"
  fi
  rm -f "$dir/pid" "$dir/url" "$dir/name"
  : >"$dir/server.log"
  printf '%s\n' "$name" >"$dir/name"
  if [[ "$name" == moto ]]; then limit=$MOTO_READY_TIMEOUT; else limit=$LOCALSTACK_READY_TIMEOUT; fi
  limit="${EMULATOR_READY_TIMEOUT:-$limit}"

  for attempt in 1 2 3; do
    port="$(free_port "$py")"
    url="http://127.0.0.1:$port"
    t0="$(now)"
    pid="$(launch "$name" "$dir" "$port")"
    printf '%s\n' "$pid" >"$dir/pid"
    local ready=""
    while :; do
      if probe "$name" "$url" "$py"; then
        ready=1
        break
      fi
      if ! alive "$pid"; then break; fi
      if [[ "$(elapsed "$t0" | cut -d. -f1)" -ge "$limit" ]]; then break; fi
      sleep 0.1
    done
    if [[ -n "$ready" ]]; then break; fi
    if ! alive "$pid" && grep -qi 'address already in use' "$dir/server.log" && [[ $attempt -lt 3 ]]; then
      log "port $port was taken before $name bound it; retrying with another port"
      continue
    fi
    if alive "$pid"; then
      log "$name did not become ready within ${limit} s"
    else
      log "$name exited during startup"
    fi
    tail_log "$dir"
    do_stop "$dir" >/dev/null 2>&1 || true
    exit 3
  done
  local ready_s
  ready_s="$(elapsed "$t0")"

  # setsid starts a new session in place (same pid) only when it is not a
  # process-group leader, which holds for a background job of a script
  # without job control; stop relies on pid == session id.
  if [[ "$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ')" != "$pid" ]]; then
    log "$name (pid $pid) is not a session leader; refusing to keep it (could not stop it reliably)"
    do_stop "$dir" >/dev/null 2>&1 || true
    exit 3
  fi
  if ! check_loopback_only "$pid" "$port"; then
    do_stop "$dir" >/dev/null 2>&1 || true
    die 3 "$name stopped: it must listen on 127.0.0.1 only"
  fi
  printf '%s\n' "$url" >"$dir/url"
  local rss
  rss="$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ')"
  log "$name ready at $url after ${ready_s} s (pid $pid, RSS $((${rss:-0} / 1024)) MiB, log ${dir}/server.log)"
  printf '%s\n' "$url"
}

# ------------------------------------------------------------------ stop ----

do_stop() {
  local dir="$1" pid name t0 other
  [[ -d "$dir" ]] || return 0
  dir="$(cd -- "$dir" && pwd)"
  name="$(cat "$dir/name" 2>/dev/null || true)"
  pid="$(cat "$dir/pid" 2>/dev/null || true)"
  if ours "$pid"; then
    t0="$(now)"
    # The whole process group, then any other process left in the session.
    kill -TERM -- "-$pid" 2>/dev/null || true
    # shellcheck disable=SC2046
    kill -TERM $(session_pids "$pid") 2>/dev/null || true
    while alive "$pid" && [[ "$(elapsed "$t0" | cut -d. -f1)" -lt $STOP_TIMEOUT ]]; do
      sleep 0.1
    done
    if alive "$pid"; then
      log "${name:-emulator} (session $pid) still running after ${STOP_TIMEOUT} s; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
      # shellcheck disable=SC2046
      kill -KILL $(session_pids "$pid") 2>/dev/null || true
      sleep 0.2
    fi
    if alive "$pid"; then
      log "could not stop session $pid"
      return 3
    fi
    log "stopped ${name:-emulator} (pid $pid) in $(elapsed "$t0") s"
  fi
  rm -f "$dir/pid" "$dir/url"
  if [[ "$name" == localstack ]]; then
    rm -rf "$dir/fs" "$dir/tmp"
    # Shared by every LocalStack instance: keep it while another one runs.
    other="$(pgrep -fc 'localstack\.runtime\.main' || true)"
    if [[ "${other:-0}" -eq 0 ]]; then
      rm -rf "$LOCALSTACK_S3_STORAGE"
    else
      log "another LocalStack is running; leaving $LOCALSTACK_S3_STORAGE in place"
    fi
  fi
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  do_stop "$1"
}

# ------------------------------------------------------------------- run ----

RUN_DIR=""
RUN_CHILD=""

run_cleanup() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM # finish the cleanup even on a second Ctrl-C
  if [[ -n "$RUN_CHILD" ]] && kill -0 "$RUN_CHILD" 2>/dev/null; then
    signal_tree TERM "$RUN_CHILD"
  fi
  if [[ -n "$RUN_DIR" ]]; then
    do_stop "$RUN_DIR" || true
    if [[ -z "${EMULATOR_KEEP_STATE:-}" ]]; then
      rm -rf "$RUN_DIR"
      rmdir "$ROOT/.emulators" 2>/dev/null || true
    else
      log "kept $RUN_DIR"
    fi
  fi
  exit "$rc"
}

# tree PID: PID and all its descendants.
tree() {
  ps -eo pid=,ppid= 2>/dev/null | awk -v root="$1" '
    { parent[$1] = $2 }
    END {
      for (p in parent) {
        q = p
        while (q != "" && q != 0 && q != 1 && q != root) q = parent[q]
        if (q == root) print p
      }
    }'
}

# signal_tree SIG PID: signal the command and whatever it started.
signal_tree() {
  # shellcheck disable=SC2046 # word splitting of the pid list is intended
  kill -"$1" $(tree "$2") 2>/dev/null || true
}

# on_signal SIG CODE: pass the signal to the command (and its descendants),
# give it up to 10 s to finish, then leave through the EXIT trap (which stops
# the emulator).
on_signal() {
  local sig="$1" code="$2" i
  trap '' INT TERM
  log "got SIG$sig; stopping"
  if [[ -n "$RUN_CHILD" ]] && kill -0 "$RUN_CHILD" 2>/dev/null; then
    signal_tree "$sig" "$RUN_CHILD"
    for ((i = 0; i < 100; i++)); do
      kill -0 "$RUN_CHILD" 2>/dev/null || break
      sleep 0.1
    done
    signal_tree KILL "$RUN_CHILD"
  fi
  RUN_CHILD=""
  exit "$code"
}

cmd_run() {
  [[ $# -ge 3 && "$2" == "--" ]] || usage
  check_name "$1"
  local name="$1" url arg rc
  shift 2
  local -a cmd=()
  cmd_install "$name"
  mkdir -p "$ROOT/.emulators"
  RUN_DIR="$ROOT/.emulators/$name-$$"
  trap run_cleanup EXIT
  trap 'on_signal INT 130' INT
  trap 'on_signal TERM 143' TERM
  url="$(cmd_start "$name" "$RUN_DIR")"
  for arg in "$@"; do
    cmd+=("${arg//"{endpoint}"/"$url"}")
  done
  export LC_ENDPOINT="$url"
  log "running:$(printf ' %q' "${cmd[@]}")"
  # In the background so that a signal to this script is handled at once; the
  # subshell undoes bash's SIGINT/SIGQUIT ignoring for background jobs and the
  # explicit redirection keeps our stdin.
  exec 3<&0
  (
    trap - INT QUIT
    exec "${cmd[@]}"
  ) <&3 3<&- &
  RUN_CHILD=$!
  rc=0
  wait "$RUN_CHILD" || rc=$?
  RUN_CHILD=""
  exit "$rc"
}

# ------------------------------------------------------------------ up/down ----

cmd_up() {
  [[ $# -eq 1 ]] || usage
  check_name "$1"
  local dir="$ROOT/.emulators/$1-up"
  local url
  cmd_install "$1"
  if [[ -f "$dir/pid" ]] && ours "$(cat "$dir/pid")" && [[ -f "$dir/url" ]]; then
    url="$(cat "$dir/url")"
    log "$1 already running (pid $(cat "$dir/pid"), log $dir/server.log)"
  else
    url="$(cmd_start "$1" "$dir")"
  fi
  log "use it with: export CONFORMANCE_ENDPOINT=$url CONFORMANCE_TARGET=$1; cargo test   (stop: make emulators-down)"
  printf '%s\n' "$url"
}

cmd_down() {
  [[ $# -eq 0 ]] || usage
  local dir rc=0
  shopt -s nullglob
  for dir in "$ROOT"/.emulators/*-up; do
    do_stop "$dir" || rc=3
    [[ $rc -ne 0 ]] || rm -rf "$dir"
  done
  shopt -u nullglob
  rmdir "$ROOT/.emulators" 2>/dev/null || true
  return "$rc"
}

main() {
  [[ $# -ge 1 ]] || usage
  local sub="$1"
  shift
  case "$sub" in
    install) cmd_install "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    run) cmd_run "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

main "$@"
