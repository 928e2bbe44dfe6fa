#!/usr/bin/env bash
# Captures real DHCP/TFTP client packets into test/vectors/{dhcp,tftp}/ (see src/lab/capture-vectors.ts).
# Root only: boots QEMU VMs inside network namespaces it creates on 198.18.0.0/24 and deletes afterwards.
# Extra arguments go to the program: --ra, --no-write, --keep.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "capture-vectors: must run as root" >&2; exit 1; }
bash scripts/build-lab-assets.sh >/dev/null
npx tsc -p .
exec node dist/lab/capture-vectors.js "$@"
