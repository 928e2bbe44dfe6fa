/**
 * Router Discovery messages captured in the lab (tcpdump on the bridge, extracted with
 * src/ndp/pcap-icmpv6.ts; src/lab/measure-boot.ts made the capture): what Debian's 2019
 * iPXE ROM (1.0.0+git-20190125.36a4c85) sends under QEMU, and bootfleet's answer with the
 * checksum the kernel filled in.
 */
export interface CapturedNdp {
  what: string;
  ethSrc: string;
  src: string;
  dst: string;
  hopLimit: number;
  hex: string;
}

export const CAPTURED_NDP: readonly CapturedNdp[] = [
  {
    what: 'iPXE 2019 BIOS ROM router solicitation (six of them, at 0, 0.3, 1.0, 2.2, 4.3 and 8.7 s under TCG, then it gives up)',
    ethSrc: '52:54:00:bf:60:a0',
    src: 'fe80::5054:ff:febf:60a0',
    dst: 'ff02::2',
    hopLimit: 255,
    hex: '850017c7000000000101525400bf60a0',
  },
  {
    what: "bootfleet's router advertisement to it: unicast, lifetime 0, no flags, no options",
    ethSrc: '4a:bd:6a:84:0f:ae',
    src: 'fe80::48bd:6aff:fe84:fae',
    dst: 'fe80::5054:ff:febf:60a0',
    hopLimit: 255,
    hex: '86000a10000000000000000000000000',
  },
];
