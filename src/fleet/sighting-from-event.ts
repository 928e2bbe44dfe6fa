/**
 * Reads "this machine was on the network" out of the boot event stream, so the DHCP servers
 * need no knowledge of the fleet: the app feeds every event through here into the sighting
 * batcher. DHCP requests and replies count (full and proxy mode); an ACK also gives the
 * address. Facts the event data carries (`arch`, `firmware`, `uuid`, `hostname`) are taken
 * when present and well-formed.
 */
import { firmwareNames, type FirmwareName } from '../config/schema.js';
import type { BootEvent } from '../events/boot-event.js';
import type { Sighting } from './machine.js';

const SEEN_KINDS = new Set(['dhcp.discover', 'dhcp.request', 'dhcp.ack', 'dhcp.inform', 'dhcp.proxy-offer', 'dhcp.proxy-ack']);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The sighting an event stands for, or null when it says nothing about a machine being there. */
export function sightingFromEvent(e: BootEvent, at: number): Sighting | null {
  if (!SEEN_KINDS.has(e.kind) || e.mac === undefined || !MAC.test(e.mac)) return null;
  const s: Sighting = { mac: e.mac, at };
  const d = e.data ?? {};
  // Only a bound address is the machine's; a REQUEST's or an OFFER's is only asked or proposed.
  const ip = e.kind === 'dhcp.ack' || e.kind === 'dhcp.inform' ? d['ip'] : e.kind.startsWith('dhcp.proxy-') ? d['clientIp'] : undefined;
  if (typeof ip === 'string' && IPV4.test(ip) && ip !== '0.0.0.0') s.ip = ip;
  const arch = d['arch'];
  if (typeof arch === 'number' && Number.isInteger(arch) && arch >= 0 && arch <= 65535) s.arch = arch;
  const firmware = d['firmware'];
  const fw = firmwareNames.find((f): f is FirmwareName => f === firmware);
  if (fw !== undefined) s.firmware = fw;
  const uuid = d['uuid'];
  if (typeof uuid === 'string' && UUID.test(uuid)) s.uuid = uuid;
  const hostname = d['hostname'];
  if (typeof hostname === 'string' && hostname !== '') s.hostname = hostname.slice(0, 255);
  return s;
}
