#!/usr/bin/env bash
# Prints the path of a SeaweedFS `weed` binary, the S3-compatible server the document store's tests run against
# (test/helpers/seaweedfs.ts): $WEED when set, else the pinned build in a cache outside the checkout, built once.
# The module (github.com/seaweedfs/seaweedfs, served by the Go proxy at a pseudo-version) has replace directives in its
# go.mod, so `go install …@version` refuses it: its source is downloaded with `go mod download`, copied, and built as
# the main module, where the replaces apply.
set -euo pipefail
MODULE=github.com/seaweedfs/seaweedfs
VERSION=v0.0.0-20261109003541-7506e5f91cd6
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/export-review/seaweedfs-$VERSION"

if [ -n "${WEED:-}" ]; then
  if [ -x "$WEED" ]; then echo "$WEED"; exit 0; fi
  echo "WEED=$WEED is not an executable file" >&2; exit 1
fi
if [ -x "$CACHE_DIR/weed" ]; then echo "$CACHE_DIR/weed"; exit 0; fi

GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -z "$GO" ]; then
  cat >&2 <<MSG
The document store's S3 tests need SeaweedFS's weed, and Go is not installed to build it.
Install one of:
  - a weed binary (https://github.com/seaweedfs/seaweedfs/releases), named by WEED=/path/to/weed
  - Go (https://go.dev/dl/), then run this again: it builds $MODULE@$VERSION into $CACHE_DIR
MSG
  exit 1
fi
echo "Building SeaweedFS weed $VERSION into $CACHE_DIR (once; many minutes)..." >&2
build="$(mktemp -d)"
trap 'chmod -R u+w "$build" 2>/dev/null; rm -rf "$build"' EXIT
dir="$("$GO" mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
[ -d "$dir" ] || { echo "go mod download did not give the source of $MODULE@$VERSION" >&2; exit 1; }
# The module cache is read-only: a copy the build may write into (go.sum updates, generated files).
cp -R "$dir/." "$build/src"
chmod -R u+w "$build/src"
start=$SECONDS
(cd "$build/src" && "$GO" build -o "$build/weed" ./weed) >&2
mkdir -p "$CACHE_DIR"
mv "$build/weed" "$CACHE_DIR/weed" # last: its presence marks the build complete
echo "Built weed in $((SECONDS - start)) s" >&2
echo "$CACHE_DIR/weed"
