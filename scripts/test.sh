#!/usr/bin/env bash
# Set up and run every test (unit, AppTest, browser). Used by the README and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
mkdir -p artifacts
python3 -m components validate
python3 -m pytest -q "$@"
