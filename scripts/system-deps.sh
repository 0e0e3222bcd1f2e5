#!/usr/bin/env bash
# Installs the system packages the tests need, with apt-get, when they are missing:
# jq (Firehose's partitioning queries are checked with the real jq),
# chromium-headless-shell (the dashboard's page tests drive it through Playwright) and
# awscli (the README's `aws cognito-idp ...` line is run by the doc-tests).
# Needs root (CI runs as root); a developer can run it with sudo.
set -euo pipefail
missing=()
command -v jq >/dev/null 2>&1 || missing+=(jq)
[[ -x "${CHROMIUM_PATH:-/usr/bin/chromium-headless-shell}" ]] || missing+=(chromium-headless-shell)
command -v aws >/dev/null 2>&1 || missing+=(awscli)
((${#missing[@]} == 0)) && exit 0
echo "installing with apt-get: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "system-deps.sh: run as root (or with sudo) to install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
