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

# perfdhcp ships in kea-admin; libpcre2-8-0 is for atftpd (below); tftpd-hpa, nginx-light and kea-dhcp4-server bring services
# that must never run on the host: the harness starts their binaries inside its namespaces.
# The boot group boots QEMU VMs (SeaBIOS + iPXE ROM, OVMF) into the lab Linux (busybox-static, cpio).
PACKAGES=(kea-dhcp4-server kea-admin tftpd-hpa nginx-light dnsmasq-base curl atftp tftp-hpa wrk tcpdump iproute2 util-linux libpcre2-8-0
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
# atftpd (the TFTP peer that speaks RFC 7440 windowsize) cannot be installed as a package:
# Debian's tftpd-hpa Conflicts with it, so installing one removes the other (and atftpd ships
# its own /usr/sbin/in.tftpd). Take only its binary from its .deb, never its service; its
# libraries (libwrap0, libpcre2-8-0) are tftpd-hpa's and the base system's.
if ! command -v atftpd >/dev/null; then
  echo "bench: fetching atftpd's binary into /usr/local/sbin"
  deb_dir=$(mktemp -d)
  chmod 755 "$deb_dir"  # apt fetches as _apt
  (cd "$deb_dir" && { apt-get download -q atftpd || { apt-get update -q && apt-get download -q atftpd; }; } && dpkg-deb -x atftpd_*.deb x)
  install -m 755 "$deb_dir/x/usr/sbin/atftpd" /usr/local/sbin/atftpd
  rm -rf "$deb_dir"
fi
if [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund
fi

npm run build --silent
# The lab Linux the boot group's VMs boot (cached: a no-op when it is up to date).
scripts/build-lab-assets.sh >/dev/null
exec node dist/bench/main.js "$@"
