#!/usr/bin/env bash
# `npm run bench`: the benchmark suite (bench/README.md). Installs the peers and clients from
# Debian without starting any of their services on this host, builds, then runs the harness,
# which makes its own network namespaces (198.18.0.0/15) and removes them at the end.
#   npm run bench                      full run (≈ 10–20 min), report under bench/results/
#   npm run bench -- --smoke           tiny run for CI: harness + correctness only (< 1 min)
#   npm run bench -- --only tftp,http  some groups;  --no-profile  skip the profiling runs
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "bench: needs root (it creates network namespaces)" >&2
  exit 2
fi

# perfdhcp ships in kea-admin; tftpd-hpa, nginx-light and kea-dhcp4-server bring services
# that must never run on the host: the harness starts their binaries inside its namespaces.
# The boot group boots QEMU VMs (SeaBIOS + iPXE ROM, OVMF) into the lab Linux (busybox-static, cpio).
PACKAGES=(kea-dhcp4-server kea-admin tftpd-hpa nginx-light dnsmasq-base curl atftp tftp-hpa wrk tcpdump iproute2 util-linux
  qemu-system-x86 ipxe-qemu ipxe ovmf busybox-static cpio)
missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "bench: installing ${missing[*]}"
  # policy-rc.d exit 101 = "do not start services" for every package script (invoke-rc.d,
  # deb-systemd-invoke). Add one only if the host has none, and remove only our own.
  own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  trap '[[ $own_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  if [[ $own_policy == 1 ]]; then rm -f /usr/sbin/policy-rc.d; own_policy=0; fi
  trap - EXIT
fi
if [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund
fi

npm run build --silent
# The lab Linux the boot group's VMs boot (cached: a no-op when it is up to date).
scripts/build-lab-assets.sh >/dev/null
exec node dist/bench/main.js "$@"
