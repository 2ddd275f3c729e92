#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, a virtualenv with the project) and
# runs lint, type checks and the whole test suite. This is the README's test command and
# what .ci/run calls. Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in nginx:nginx sshd:openssh-server chromium:chromium testssl:testssl.sh node:nodejs npm:npm ssh-keygen:openssh-client; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "tests/run.sh: installing ${need[*]} from Debian's packages" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'

# The page tests' tools (axe-core, html-validate), pinned by tests/pages/package-lock.json.
if [ ! -d tests/pages/node_modules ] || [ tests/pages/package-lock.json -nt tests/pages/node_modules ]; then
  (cd tests/pages && npm ci --no-audit --no-fund --loglevel=error)
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || echo "tests/run.sh: ruff format would change some files (not fatal)" >&2
.venv/bin/mypy
exec .venv/bin/pytest "$@"
