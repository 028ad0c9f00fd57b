#!/usr/bin/env bash
# Prints the folder of the Temporal server build the cluster runs (`npm run cluster`, the cluster tests): the
# server (temporal-server), its schema tool (temporal-sql-tool) and the schema files of the same version (schema/).
# Built once into the cache beside the CLI's (scripts/ensure-temporal-cli.sh), then reused.
# TEMPORAL_SERVER_DIR names a folder that already holds the three.
set -euo pipefail
VERSION=1.29.1
CLI_VERSION="$(sed -n 's/^VERSION=//p' "$(dirname "$0")/ensure-temporal-cli.sh")"
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
echo "Building the Temporal server v$VERSION and its schema tool into $CACHE_DIR (once)..." >&2
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
# The server and its schema tool are built at v$VERSION in a throwaway module that also requires the pinned CLI
# (v$CLI_VERSION, whose dev server embeds this same server version): one dependency graph, the CLI's, so what the
# CLI's build compiled is reused and only the binaries are linked (14 s here, against 173 s with a graph of their own),
# and the cluster runs the very server code the dev server runs. The module takes the CLI's go line, and so its defaults.
cd "$build"
"$GO" mod init temporal-server-build >/dev/null 2>&1
"$GO" mod edit -go="$("$GO" list -m -f '{{.GoVersion}}' "github.com/temporalio/cli@v$CLI_VERSION")"
"$GO" get "github.com/temporalio/cli/cmd/temporal@v$CLI_VERSION" "go.temporal.io/server/cmd/server@v$VERSION" "go.temporal.io/server/cmd/tools/sql@v$VERSION" >&2
resolved="$("$GO" list -m -f '{{.Version}}' go.temporal.io/server)"
[ "$resolved" = "v$VERSION" ] || { echo "the CLI v$CLI_VERSION resolves the server to $resolved, not v$VERSION" >&2; exit 1; }
GOBIN="$build/bin" "$GO" install go.temporal.io/server/cmd/server go.temporal.io/server/cmd/tools/sql >&2
# The schema files ship inside the module.
module="$("$GO" list -m -f '{{.Dir}}' go.temporal.io/server)"
mkdir -p "$CACHE_DIR"
cp -R "$module/schema" "$CACHE_DIR/schema.new" && chmod -R u+w "$CACHE_DIR/schema.new"
rm -rf "$CACHE_DIR/schema" && mv "$CACHE_DIR/schema.new" "$CACHE_DIR/schema"
mv "$build/bin/sql" "$CACHE_DIR/temporal-sql-tool"
mv "$build/bin/server" "$CACHE_DIR/temporal-server" # last: its presence marks the build complete
echo "$CACHE_DIR"
