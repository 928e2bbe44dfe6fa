#!/usr/bin/env bash
# Builds the small Linux that lab VMs network-boot into .lab/assets/:
#   vmlinuz     the Debian 12 kernel, taken from its .deb without installing it (no hooks run)
#   initrd.img  a busybox-static initramfs (cpio newc + gzip) whose /init prints BOOTFLEET-MARKER,
#               "CMDLINE: <kernel command line>", optionally "CALLBACK: <body>" for bf.callback=<url>,
#               then powers off. See src/lab/initramfs/init.
#   lab.iso     a bootable ISO (ISOLINUX, El Torito no-emulation, also an isohybrid disk) of the same
#               kernel and initramfs with `console=ttyS0 bf.profile=iso`, for the sanboot tests
#               (iPXE `sanboot` of it over HTTP and over iSCSI).
# Everything comes from Debian packages. Cached: skipped when the assets exist and were built by this
# version of the script and its initramfs files from the kernel package apt currently names.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/src/lab/initramfs"
OUT="${BOOTFLEET_LAB_ASSETS:-$ROOT/.lab/assets}"
BUSYBOX=/bin/busybox

die() { echo "build-lab-assets: $*" >&2; exit 1; }

[[ -x $BUSYBOX ]] || die "$BUSYBOX missing: run scripts/install-deps.sh (busybox-static)"

ISOLINUX_BIN=/usr/lib/ISOLINUX/isolinux.bin
ISOHYBRID_MBR=/usr/lib/ISOLINUX/isohdpfx.bin
LDLINUX=/usr/lib/syslinux/modules/bios/ldlinux.c32

# lab.iso from the kernel and initramfs in $OUT. Its own stamp (their hashes and this function), so a
# machine whose kernel assets are current builds only the ISO.
build_iso() {
  local iso_stamp tree
  for f in "$ISOLINUX_BIN" "$ISOHYBRID_MBR" "$LDLINUX"; do
    [[ -f $f ]] || die "$f missing: run scripts/install-deps.sh (isolinux, syslinux-common)"
  done
  command -v xorriso >/dev/null || die "xorriso missing: run scripts/install-deps.sh (xorriso)"
  iso_stamp="$( (sha256sum "$OUT/vmlinuz" "$OUT/initrd.img" "$ISOLINUX_BIN" "$LDLINUX" | cut -d' ' -f1; declare -f build_iso) | sha256sum | cut -d' ' -f1)"
  if [[ -f $OUT/lab.iso && -f $OUT/iso-stamp && $(cat "$OUT/iso-stamp") == "$iso_stamp" ]]; then
    echo "iso: $OUT/lab.iso"; return 0
  fi
  tree="$(mktemp -d)"
  mkdir -p "$tree/isolinux"
  cp "$ISOLINUX_BIN" "$LDLINUX" "$tree/isolinux/"
  cp "$OUT/vmlinuz" "$OUT/initrd.img" "$tree/"
  # No prompt, no timeout: the VM goes straight to the kernel. SERIAL so ISOLINUX shows on the test's log.
  printf '%s\n' 'SERIAL 0 115200' 'DEFAULT lab' 'PROMPT 0' 'TIMEOUT 0' 'LABEL lab' \
    '  KERNEL /vmlinuz' '  INITRD /initrd.img' '  APPEND console=ttyS0 bf.profile=iso' >"$tree/isolinux/isolinux.cfg"
  # Same inputs, same bytes: file dates from SOURCE_DATE_EPOCH (volume dates) and the tree's mtimes.
  find "$tree" -exec touch -h -d @0 {} +
  if ! SOURCE_DATE_EPOCH=0 xorriso -as mkisofs -quiet -o "$OUT/lab.iso.tmp" -V BOOTFLEET_LAB \
    -isohybrid-mbr "$ISOHYBRID_MBR" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table "$tree" 2>"$tree.err"; then
    cat "$tree.err" >&2; rm -rf "$tree" "$tree.err"; die "xorriso failed"
  fi
  rm -rf "$tree" "$tree.err"
  mv "$OUT/lab.iso.tmp" "$OUT/lab.iso"
  echo "$iso_stamp" >"$OUT/iso-stamp"
  echo "iso: $OUT/lab.iso"
}

# The exact kernel package, e.g. linux-image-6.1.0-56-amd64, from the meta package's dependency.
resolve_kernel_pkg() {
  apt-cache depends linux-image-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1
}
KPKG="$(resolve_kernel_pkg)"
if [[ -z $KPKG ]]; then
  if [[ -f $OUT/vmlinuz && -f $OUT/initrd.img && -f $OUT/stamp ]]; then
    # No apt lists here (e.g. a trimmed container): keep what we have rather than touch the network.
    echo "build-lab-assets: apt cannot name the kernel package; keeping existing assets"
    echo "kernel: $OUT/vmlinuz"; echo "initrd: $OUT/initrd.img"; build_iso; exit 0
  fi
  [[ $(id -u) -eq 0 ]] || die "apt cannot resolve linux-image-amd64; run 'apt-get update' as root"
  apt-get update -q
  KPKG="$(resolve_kernel_pkg)"
  [[ -n $KPKG ]] || die "cannot resolve linux-image-6.1.*-amd64 from linux-image-amd64"
fi
KVER_PKG="$(apt-cache policy "$KPKG" | sed -n 's/^ *Candidate: //p')"

STAMP="$KPKG $KVER_PKG $(cat "$0" "$SRC"/* | sha256sum | cut -d' ' -f1)"
if [[ -f $OUT/vmlinuz && -f $OUT/initrd.img && -f $OUT/stamp && $(cat "$OUT/stamp") == "$STAMP" ]]; then
  echo "build-lab-assets: up to date ($KPKG $KVER_PKG)"
  echo "kernel: $OUT/vmlinuz"; echo "initrd: $OUT/initrd.img"; build_iso; exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# apt drops privileges to _apt for downloads; let it write here to avoid the "unsandboxed" warning.
if id _apt >/dev/null 2>&1; then chown _apt "$WORK"; fi

echo "build-lab-assets: downloading $KPKG $KVER_PKG"
(cd "$WORK" && apt-get download -q "$KPKG=$KVER_PKG" >/dev/null)
DEB="$(ls "$WORK"/*.deb)"
mkdir -p "$WORK/pkg"
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$WORK/pkg" ./boot ./lib/modules
KREL="$(ls "$WORK/pkg/lib/modules")"
MODDIR="$WORK/pkg/lib/modules/$KREL/kernel"

# --- initramfs tree ---
R="$WORK/root"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,lib/modules}
cp "$BUSYBOX" "$R/bin/busybox"
install -m 0755 "$SRC/init" "$R/init"
install -m 0755 "$SRC/udhcpc.script" "$R/etc/udhcpc.script"
# Debian builds the NIC drivers as modules: ship those the lab's NICs need (virtio-net, e1000) plus
# their dependencies, in load order. The package has no modules.dep (depmod runs in its postinst, which
# we skip), so read each module's own `depends=` modinfo field and order them depth-first.
WANTED=(virtio_pci virtio_net e1000)
declare -A KO_PATH=() DONE=()
while IFS= read -r ko; do KO_PATH[$(basename "$ko" .ko)]="$ko"; done < <(find "$MODDIR" -name '*.ko')
: >"$R/lib/modules/load-order"
add_module() {
  local name="${1//-/_}" dep deps
  [[ -n ${DONE[$name]:-} ]] && return 0
  [[ -n ${KO_PATH[$name]:-} ]] || die "module $name not in $KPKG"
  DONE[$name]=1
  deps="$(tr '\0' '\n' <"${KO_PATH[$name]}" | sed -n 's/^depends=//p' | head -n1)"
  for dep in ${deps//,/ }; do add_module "$dep"; done
  cp "${KO_PATH[$name]}" "$R/lib/modules/$name.ko"
  echo "$name.ko" >>"$R/lib/modules/load-order"
}
for m in "${WANTED[@]}"; do add_module "$m"; done
echo "$KREL" >"$R/etc/kernel-release"

mkdir -p "$OUT"
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9n >"$OUT/initrd.img.tmp"
cp "$WORK/pkg/boot/vmlinuz-$KREL" "$OUT/vmlinuz.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
echo "$KREL" >"$OUT/kernel-release"
echo "$STAMP" >"$OUT/stamp"

echo "build-lab-assets: built from $KPKG $KVER_PKG (kernel $KREL)"
echo "kernel: $OUT/vmlinuz"
echo "initrd: $OUT/initrd.img"
build_iso
