#!/usr/bin/env bash
# Prints the bin folder of a Node.js release of the given major version (default: the one in
# .nvmrc), fetching the official binary from the npm registry (package node-linux-<arch>) the
# first time and keeping it in ~/.cache/authwatch/node so later runs reuse it. Used by .ci/run;
# a new user can do the same: PATH="$(scripts/node-bin.sh 24):$PATH" pnpm turbo test
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
major="${1:-$(tr -d ' v\n' <"$root/.nvmrc")}"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-bin.sh: no Node.js package for $(uname -m) on the npm registry" >&2; exit 1 ;;
esac
cache="${XDG_CACHE_HOME:-$HOME/.cache}/authwatch/node"
mkdir -p "$cache"
# The newest release of that major the registry has; fall back to what is cached when offline.
version="$(npm view "node-linux-$arch@$major" version 2>/dev/null | tail -n 1 | sed -E "s/.*'([^']+)'.*/\1/;s/^[^0-9]*//")" || true
if [[ -z "$version" ]]; then
  version="$(ls "$cache" 2>/dev/null | grep -E "^$major\." | sort -V | tail -n 1 || true)"
fi
[[ -n "$version" ]] || { echo "node-bin.sh: cannot find node-linux-$arch@$major on the npm registry" >&2; exit 1; }
dir="$cache/$version"
if [[ ! -x "$dir/bin/node" ]]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null && tar xzf node-linux-*.tgz)
  rm -rf "$dir" && mkdir -p "$dir" && cp -r "$tmp/package/bin" "$dir/bin"
  rm -rf "$tmp"
fi
echo "$dir/bin"
