#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need: node modules (when the lock file
# changed) and the Temporal CLI. Safe to run again; fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.setup-stamp
want="$(node -v) $(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing node modules (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
bash scripts/ensure-temporal-cli.sh >/dev/null
