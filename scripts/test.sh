#!/usr/bin/env bash
# The one test command (README: `npm test`). Installs what it needs, builds, then runs every
# test: codecs and decisions, servers over real sockets inside namespaces it creates, and
# QEMU VMs booting from bootfleet. `npm test -- unit` runs only the tests that need no root.
set -euo pipefail
cd "$(dirname "$0")/.."

scope="${1:-all}"

if [[ $(id -u) -eq 0 ]]; then
  bash scripts/install-deps.sh
elif [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund
fi
echo "== build"
rm -rf dist
npm run build --silent

if [[ $scope == all && $(id -u) -ne 0 ]]; then
  echo "test.sh: network and VM tests need root (they create network namespaces); running unit tests only" >&2
  scope=unit
fi

if [[ $scope == all ]]; then
  echo "== lab assets"
  bash scripts/build-lab-assets.sh
fi

# Unit tests first: they are quick and say the most when something is broken.
mapfile -t unit < <(find dist -name '*.test.js' ! -path 'dist/e2e/*' ! -name '*.net.test.js' | sort)
mapfile -t net < <(find dist -name '*.net.test.js' ! -path 'dist/e2e/*' | sort)
mapfile -t vm < <(find dist/e2e -name '*.test.js' 2>/dev/null | sort)

files=("${unit[@]}")
if [[ $scope == all ]]; then
  files+=("${net[@]}" "${vm[@]}")
fi
echo "== ${#files[@]} test files ($scope)"
# One file at a time: namespace and VM tests share the CPU and must not starve each other.
mkdir -p .lab
set +e
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=.lab/test-results.tap "${files[@]}"
rc=$?
set -e
pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' .lab/test-results.tap | tail -n1)
fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' .lab/test-results.tap | tail -n1)
skip=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' .lab/test-results.tap | tail -n1)
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
exit $rc
