#!/usr/bin/env bash
# Provisions Node 24 and pnpm 12 from the npm registry into a cache outside the work tree, for
# machines whose system Node is older than 22. Never touches the system Node.
#
#   scripts/toolchain.sh                 install if missing, print the bin folder
#   eval "$(scripts/toolchain.sh env)"   put that toolchain first on PATH in this shell
#   scripts/toolchain.sh exec CMD...     run one command with that toolchain
#
# Idempotent: a second run with the cache in place does no network work.
set -euo pipefail

NODE_SPEC="${PLATFORM_NODE_VERSION:-24}"
PNPM_SPEC="${PLATFORM_PNPM_VERSION:-12.21.0}"
CACHE_ROOT="${PLATFORM_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-sdk-toolchain}"
DIR="$CACHE_ROOT/node-$NODE_SPEC-pnpm-$PNPM_SPEC"
BIN="$DIR/node_modules/.bin"

log() { printf 'toolchain: %s\n' "$*" >&2; }

provision() {
  if [ -x "$BIN/node" ] && [ -x "$BIN/pnpm" ] && [ -f "$DIR/.complete" ]; then
    return 0
  fi
  command -v npm >/dev/null || { log "npm is required to provision Node $NODE_SPEC"; exit 1; }
  mkdir -p "$DIR"
  log "installing node@$NODE_SPEC and pnpm@$PNPM_SPEC into $DIR"
  # A partial install (interrupted earlier) is replaced, not patched.
  rm -f "$DIR/.complete"
  npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error \
    "node@$NODE_SPEC" "pnpm@$PNPM_SPEC" >&2
  "$BIN/node" --version >/dev/null
  PATH="$BIN:$PATH" "$BIN/pnpm" --version >/dev/null
  touch "$DIR/.complete"
}

provision
case "${1:-bin}" in
  bin) echo "$BIN" ;;
  env) printf 'export PATH=%q:"$PATH"\n' "$BIN" ;;
  exec) shift; PATH="$BIN:$PATH" exec "$@" ;;
  *) log "unknown command '$1' (expected: bin, env, exec)"; exit 2 ;;
esac
