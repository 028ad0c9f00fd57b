#!/usr/bin/env bash
# Prints the path of a Temporal CLI: $TEMPORAL_CLI, else `temporal` on PATH, else the
# pinned build in a cache outside the checkout, built once with `go install`.
set -euo pipefail
VERSION=1.5.1
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/export-review/temporal-cli-$VERSION"

if [ -n "${TEMPORAL_CLI:-}" ]; then
  if [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
  echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file" >&2; exit 1
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x "$CACHE_DIR/temporal" ]; then echo "$CACHE_DIR/temporal"; exit 0; fi

GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  cat >&2 <<MSG
The Temporal CLI (dev server) was not found, and Go is not installed to build it.
Install one of:
  - the Temporal CLI $VERSION, on PATH or named by TEMPORAL_CLI=/path/to/temporal
  - Go 1.23 or later (https://go.dev/dl/), then run this again: it builds
    github.com/temporalio/cli/cmd/temporal@v$VERSION into $CACHE_DIR
MSG
  exit 1
fi
echo "Building the Temporal CLI v$VERSION into $CACHE_DIR (once; a few minutes)..." >&2
mkdir -p "$CACHE_DIR"
GOBIN="$CACHE_DIR" "$GO" install "github.com/temporalio/cli/cmd/temporal@v$VERSION" >&2
echo "$CACHE_DIR/temporal"
