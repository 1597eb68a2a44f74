#!/usr/bin/env bash
# Browser tests: build the app, start Orderflow (web + worker) on a free loopback port against a
# throwaway SQLite database, run the Playwright specs with Debian's Chromium, stop everything.
#
#   tests/e2e/run.sh [playwright args…]     e.g. tests/e2e/run.sh --grep perf
#
# Needs: node + npm, the project's .venv (make install), and `apt-get install -y chromium
# fonts-noto-cjk` (the Chinese UI needs a CJK font for readable screenshots).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python="${PYTHON:-$root/.venv/bin/python}"
chromium="${CHROMIUM:-/usr/bin/chromium}"

[ -x "$chromium" ] || { echo "Chromium not found at $chromium: apt-get install -y chromium" >&2; exit 1; }

echo "== frontend build"
(cd "$root/frontend" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
echo "== e2e dependencies"
(cd "$here" && { [ -d node_modules ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund; })

work=$(mktemp -d)
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export SQLITE_PATH="$work/e2e.sqlite3" ORDERFLOW_VAR_DIR="$work" ORDERFLOW_PORT="$port" ORDERFLOW_HOST=127.0.0.1
export DATABASE_URL="" REDIS_URL=""
# A development install: its secret key is generated into the throwaway var dir (orderflow/settings.py).
export ORDERFLOW_DEV=1
server_pid=""
cleanup() {
  # Ctrl-C to the supervisor: it stops web, live and worker and, after its grace (10 s), kills what is
  # left of each (orderflow.run.supervise). Killing its own group afterwards is for the supervisor alone.
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -INT "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  [ -n "$server_pid" ] && kill -KILL -- "-$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== server on 127.0.0.1:$port ($SQLITE_PATH)"
cd "$root"
"$python" manage.py migrate --noinput -v0
"$python" manage.py shell < "$here/seed.py"
"$python" manage.py collectstatic --noinput -v0
setsid "$python" -m orderflow.run > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/auth/session/" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

echo "== playwright"
status=0
(cd "$here" && E2E_BASE_URL="http://127.0.0.1:$port" CHROMIUM="$chromium" npx playwright test "$@") || status=$?
if [ "$status" -ne 0 ]; then
  echo "== server log (last 80 lines)"
  tail -n 80 "$work/server.log"
fi
exit "$status"
