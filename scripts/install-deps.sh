#!/usr/bin/env bash
# Installs what the tests and the demo need on Debian 12 (run as root), then the npm dependencies.
# Idempotent: a machine that already has everything does no network work at all.
set -euo pipefail

cd "$(dirname "$0")/.."

# qemu + firmware for the VM boots; pxelinux/syslinux-common for the PXELINUX path; dnsmasq-base is the
# reference DHCP/TFTP server; busybox-static builds the test initramfs; postgresql is the shared store the
# PostgreSQL tests start a throwaway cluster of (initdb + pg_ctl); isolinux + xorriso build the lab ISO the
# sanboot tests boot, tgt (tgtd) is their iSCSI target; the rest are real clients and tools.
PACKAGES=(
  qemu-system-x86 ipxe-qemu ovmf ipxe pxelinux syslinux-common dnsmasq-base busybox-static
  iproute2 tcpdump cpio tftp-hpa atftp udhcpc curl ndisc6 postgresql isolinux xorriso tgt
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # `dpkg -s` also succeeds for "deinstall" leftovers, so check the status line itself.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: Debian packages present"
fi

# npm ci when node_modules is missing or older than the lockfile. A node_modules that is a
# symlink belongs to another checkout (a git worktree sharing it): npm ci would empty that one.
if [[ -L node_modules ]]; then
  echo "install-deps: node_modules is a link to another checkout's; not touching it"
elif [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund
else
  echo "install-deps: node_modules up to date"
fi
