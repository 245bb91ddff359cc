#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, starts the shared
# PostgreSQL and Redis if they are down (never stops them), lints, type-checks, tests.
# Extra arguments go to both pytest runs, e.g. `bash scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q "uv>=0.9,<1"
uv() { python3 -m uv "$@"; }

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
    sleep 1
done

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

uv sync --frozen --all-groups
uv run ruff check src tests bench
uv run mypy
# The browser suite runs in a process of its own: Playwright's synchronous API keeps an
# event loop running in its worker while the browser is open, which would break the
# asyncio.run() of any test scheduled after it in the same worker.
uv run pytest -n 2 --ignore=tests/e2e "$@"
status=0
uv run pytest tests/e2e "$@" || status=$?
# Exit 5 means the arguments selected no browser test (e.g. -m "not slow"): not a failure.
if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
