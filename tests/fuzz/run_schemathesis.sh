#!/usr/bin/env bash
# CI fuzz step: schemathesis against the running app, every operation of /api/v1/openapi.json, as an operator
# and as a manager, with a fixed seed and a bounded number of examples. Fails on any 5xx or any response the
# document does not describe. The app, its database (casehub_fuzz) and its Redis database (9) are its own,
# and are stopped and dropped afterwards, even on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
PORT="${CASEHUB_FUZZ_PORT:-5099}"
export DATABASE_URL="postgresql://postgres@127.0.0.1:5432/casehub_fuzz" REDIS_URL="redis://127.0.0.1:6379/9"
export CASEHUB_ENV=test SECRET_KEY="fuzz-secret-key-$(date +%s)-xxxxxxxxxxxxxxxxxxxx"
FLASK=".venv/bin/flask --app wsgi"
APP_PID=""
cleanup() {
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS casehub_fuzz WITH (FORCE)" >/dev/null
  redis-cli -h 127.0.0.1 -n 9 flushdb >/dev/null
  rm -rf .schemathesis  # its example database: each run starts from the seed alone
}
trap cleanup EXIT
cleanup
psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE casehub_fuzz" >/dev/null
$FLASK db upgrade >/dev/null 2>&1 && $FLASK casehub seed --demo >/dev/null || { echo "schemathesis: 0 passed, 1 failed"; exit 1; }
OPERATOR=$($FLASK casehub create-token operator) MANAGER=$($FLASK casehub create-token manager)
.venv/bin/gunicorn --bind "127.0.0.1:$PORT" --workers 2 --log-level warning wsgi:app &
APP_PID=$!
passed=0 failed=0
for role in OPERATOR MANAGER; do
  if .venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/v1/openapi.json" --url "http://127.0.0.1:$PORT" \
      --wait-for-schema 30 -H "Authorization: Bearer ${!role}" --seed 1999 --max-examples 25 --workers 2 \
      --checks not_a_server_error,status_code_conformance,response_schema_conformance \
      --suppress-health-check all --no-shrink --warnings off; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "schemathesis: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
