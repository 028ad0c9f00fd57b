#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need: node modules (when the lock file
# changed) and the Temporal CLI; with --for-tests also the browser the dashboard
# test drives. Safe to run again; fast when nothing changed.
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

# The dashboard test runs a real browser through playwright-core, which bundles none, and
# `npx playwright install` (a download from Playwright's CDN) is not used: it takes Debian's chromium.
if [ "${1:-}" = "--for-tests" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium (apt-get) for the dashboard's browser test..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    cat >&2 <<'MSG'
The dashboard test needs Chromium at /usr/bin/chromium, and it is missing.
Install the Debian/Ubuntu package "chromium", e.g.:
  sudo apt-get update && sudo apt-get install -y chromium
MSG
    exit 1
  fi
fi

# The record store's tests also run against a real PostgreSQL server (the machine's, started in a temporary
# directory by the tests): Debian's postgresql package, any version from 13.
if [ "${1:-}" = "--for-tests" ] && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && [ -z "${POSTGRES_BIN:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing postgresql (apt-get) for the record store's tests..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    cat >&2 <<'MSG'
The record store's tests need a PostgreSQL server (initdb and postgres), and none was found under
/usr/lib/postgresql/*/bin. Install the Debian/Ubuntu package "postgresql", e.g.:
  sudo apt-get update && sudo apt-get install -y postgresql
or set POSTGRES_BIN to the folder that holds initdb and postgres.
MSG
    exit 1
  fi
fi
