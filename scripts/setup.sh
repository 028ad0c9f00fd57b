#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need: node modules (when the lock file
# changed) and the Temporal CLI; with --for-tests also the Temporal server (the
# cluster lane), SeaweedFS (the document store's S3 tests), PostgreSQL, the browser the dashboard test drives
# and poppler-utils (the letters' PDFs read back).
# Safe to run again; fast when nothing changed.
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

# A Debian package a test needs: installed with apt-get when running as root, else stop saying what to install.
# $1 package, $2 what needs it, $3 what is missing (and any other way to provide it).
install_or_explain() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $1 (apt-get) for $2..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
  else
    printf '%s\nInstall the Debian/Ubuntu package "%s", e.g.:\n  sudo apt-get update && sudo apt-get install -y %s\n' "$3" "$1" "$1" >&2
    exit 1
  fi
}

if [ "${1:-}" = "--for-tests" ]; then
  # The cluster lane runs the Temporal server itself (services as separate processes): built once, after the CLI.
  bash scripts/ensure-temporal-server.sh >/dev/null
  # The document store's S3 path is tested against a real S3-compatible server: SeaweedFS's weed, built once.
  bash scripts/ensure-seaweedfs.sh >/dev/null
  # The dashboard test runs a real browser through playwright-core, which bundles none, and
  # `npx playwright install` (a download from Playwright's CDN) is not used: it takes Debian's chromium.
  [ -x /usr/bin/chromium ] || install_or_explain chromium "the dashboard's browser test" \
    'The dashboard test needs Chromium at /usr/bin/chromium, and it is missing.'
  # The decision letters' tests read the PDFs back as text (pdftotext) and render a page to PNG (pdftoppm): poppler-utils.
  [ -x /usr/bin/pdftotext ] && [ -x /usr/bin/pdftoppm ] || install_or_explain poppler-utils "the decision letters' tests" \
    'The decision letters tests need pdftotext and pdftoppm at /usr/bin, and they are missing.'
  # The record store's tests also run against a real PostgreSQL server (the machine's, started in a temporary
  # directory by the tests): Debian's postgresql package, any version from 13, or POSTGRES_BIN.
  if [ -z "${POSTGRES_BIN:-}" ] && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    install_or_explain postgresql "the record store's tests" \
      'The record store'"'"'s tests need a PostgreSQL server (initdb and postgres), and none was found under /usr/lib/postgresql/*/bin (or set POSTGRES_BIN to the folder that holds them).'
  fi
fi
