#!/usr/bin/env bash
# Set up and run every test (unit, AppTest, browser). Used by the README and .ci/run.
# Installs the pinned test set: requirements-test.txt (runtime + test + dev tools),
# generated from pyproject.toml by uv (the command is at the top of that file).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
# Debian's chromium (browser tests), nginx (tests/test_replicas.py: replicas behind nginx) and
# postgresql (the store tests' second backend: tests/pgserver.py starts and stops its own server).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
mkdir -p artifacts
# The bundled data only: whatever is in the user's uploads/ is not the repository's to validate.
ATLAS_UPLOADS="$(mktemp -d)" ATLAS_DB="$(mktemp -u).db" python3 -m components validate
python3 -m pytest -q "$@"
