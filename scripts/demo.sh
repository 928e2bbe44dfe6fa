#!/usr/bin/env bash
# `npm run demo`: install what is needed, build, then boot a VM from bootfleet in a lab namespace.
# Pass `-- --firmware uefi` for the UEFI chain (OVMF PXE → ipxe.efi → iPXE → HTTP script).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "demo: run as root (it creates network namespaces and tap devices; the host's interfaces are not touched)" >&2
  exit 1
fi
bash scripts/install-deps.sh >/dev/null
npm run build --silent
bash scripts/build-lab-assets.sh >/dev/null
exec node dist/demo/demo.js "$@"
