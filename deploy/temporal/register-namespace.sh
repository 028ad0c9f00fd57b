#!/bin/sh
# Registers the namespace and the custom search attributes the workflows use (workflows/definitions.ts; the
# deployment-files test keeps this list and that one the same). Safe to run again. Run by `npm run cluster`, the
# cluster tests and compose's temporal-namespace job, once a frontend answers.
#   TEMPORAL_ADDRESS  a frontend, host:port          NAMESPACE  (default: default)
#   RETENTION         how long closed workflows are kept (default 720h: 30 days; the record store keeps the rest)
#   TEMPORAL_CLI      the Temporal CLI (default temporal on PATH)
set -eu
: "${TEMPORAL_ADDRESS:=127.0.0.1:7233}" "${NAMESPACE:=default}" "${RETENTION:=720h}" "${TEMPORAL_CLI:=temporal}"
cli() { "$TEMPORAL_CLI" --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" "$@"; }

tries=0
until cli operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1)); [ "$tries" -lt 60 ] || { echo "register-namespace: no frontend answers at $TEMPORAL_ADDRESS" >&2; exit 1; }
  sleep 2
done
if cli operator namespace describe >/dev/null 2>&1; then
  echo "register-namespace: namespace $NAMESPACE exists" >&2
else
  cli operator namespace create --retention "$RETENTION"
fi
# Creating attributes that exist with the same type succeeds, so this is safe to repeat. A namespace just created
# reaches the frontends' caches within seconds ("namespace not found" until then): tried again meanwhile.
tries=0
until cli operator search-attribute create \
  --name ProjectId --type Keyword \
  --name FunderId --type Keyword \
  --name CycleId --type Keyword \
  --name Stage --type Keyword \
  --name AwaitedParties --type KeywordList \
  --name NextDueAt --type Datetime \
  --name OutOfTimeSince --type Datetime; do
  tries=$((tries + 1)); [ "$tries" -lt 30 ] || { echo "register-namespace: the search attributes could not be registered" >&2; exit 1; }
  sleep 2
done
