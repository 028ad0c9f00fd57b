#!/usr/bin/env bash
# Prints the folder of the Temporal server build the cluster runs (`npm run cluster`, the cluster tests): the
# server (temporal-server), its schema tool (temporal-sql-tool) and the schema files of the same version (schema/).
# Built once with `go install` into the cache beside the CLI's (scripts/ensure-temporal-cli.sh), then reused.
# TEMPORAL_SERVER_DIR names a folder that already holds the three.
set -euo pipefail
VERSION=1.29.1
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/export-review/temporal-server-$VERSION"

complete() { [ -x "$1/temporal-server" ] && [ -x "$1/temporal-sql-tool" ] && [ -d "$1/schema/postgresql/v12" ]; }
if [ -n "${TEMPORAL_SERVER_DIR:-}" ]; then
  if complete "$TEMPORAL_SERVER_DIR"; then echo "$TEMPORAL_SERVER_DIR"; exit 0; fi
  echo "TEMPORAL_SERVER_DIR=$TEMPORAL_SERVER_DIR does not hold temporal-server, temporal-sql-tool and schema/postgresql/v12" >&2; exit 1
fi
if complete "$CACHE_DIR"; then echo "$CACHE_DIR"; exit 0; fi

GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  echo "The Temporal cluster needs the Temporal server $VERSION, and Go (1.23 or later, https://go.dev/dl/) is not installed to build it." >&2
  exit 1
fi
echo "Building the Temporal server v$VERSION and its schema tool into $CACHE_DIR (once; a few minutes)..." >&2
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
GOBIN="$build" "$GO" install "go.temporal.io/server/cmd/server@v$VERSION" "go.temporal.io/server/cmd/tools/sql@v$VERSION" >&2
# The schema files ship inside the module, which the build just put in Go's module cache.
module="$("$GO" env GOMODCACHE)/go.temporal.io/server@v$VERSION"
mkdir -p "$CACHE_DIR"
cp -R "$module/schema" "$CACHE_DIR/schema.new" && chmod -R u+w "$CACHE_DIR/schema.new"
rm -rf "$CACHE_DIR/schema" && mv "$CACHE_DIR/schema.new" "$CACHE_DIR/schema"
mv "$build/sql" "$CACHE_DIR/temporal-sql-tool"
mv "$build/server" "$CACHE_DIR/temporal-server" # last: its presence marks the build complete
echo "$CACHE_DIR"
