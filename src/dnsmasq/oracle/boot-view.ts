/**
 * The boot-relevant parts of a DHCP reply, as the differential tests compare them: message
 * type, yiaddr, siaddr, sname, file, and options 43, 60, 66, 67, 17, 175, 209, 210 (bytes, or
 * absent). The same view is taken of dnsmasq's real reply and of a prediction.
 */
import { decodeDhcp } from '../../wire/dhcp/codec.js';
import { getMessageType } from '../../wire/dhcp/options.js';
import { MessageType } from '../../wire/dhcp/packet.js';
import { joinedOptions, type PredictedReply } from '../predict-reply.js';

export const COMPARED_OPTIONS = [43, 60, 66, 67, 17, 175, 209, 210] as const;

export interface BootView {
  messageType: string;
  yiaddr: string;
  siaddr: string;
  sname: string;
  file: string;
  /** Hex of each compared option, or null when absent. */
  options: Record<string, string | null>;
}

function optionsView(options: ReadonlyMap<number, Buffer>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const code of COMPARED_OPTIONS) out[String(code)] = options.get(code)?.toString('hex') ?? null;
  return out;
}

/** The view of a reply as received; throws if it does not decode. */
export function viewOfReply(bytes: Buffer): BootView {
  const r = decodeDhcp(bytes);
  if (!r.ok) throw new Error(`reply does not decode: ${r.error.message}`);
  const p = r.packet;
  const t = getMessageType(p);
  return {
    messageType: t === null ? 'none' : MessageType[t],
    yiaddr: p.yiaddr,
    siaddr: p.siaddr,
    sname: p.sname,
    file: p.file,
    options: optionsView(p.options),
  };
}

/** The view of a predicted reply, or null when dnsmasq is predicted not to answer. */
export function viewOfPrediction(pred: PredictedReply): BootView | null {
  if (pred.kind !== 'reply') return null;
  return {
    messageType: MessageType[pred.messageType],
    yiaddr: pred.yiaddr,
    siaddr: pred.parts.siaddr,
    sname: pred.parts.sname,
    file: pred.parts.file,
    options: optionsView(joinedOptions(pred.parts.options)),
  };
}

/** Human-readable differences, empty when the views agree. */
export function diffViews(actual: BootView | null, predicted: BootView | null, names: readonly [string, string] = ['dnsmasq', 'predicted']): string[] {
  const [an, pn] = names;
  if (actual === null || predicted === null) {
    return actual === predicted ? [] : [`${an} ${actual === null ? 'did not answer' : `answered ${actual.messageType}`}, ${pn} ${predicted === null ? 'no answer' : predicted.messageType}`];
  }
  const out: string[] = [];
  for (const k of ['messageType', 'yiaddr', 'siaddr', 'sname', 'file'] as const) {
    if (actual[k] !== predicted[k]) out.push(`${k}: ${an} ${JSON.stringify(actual[k])}, ${pn} ${JSON.stringify(predicted[k])}`);
  }
  for (const code of COMPARED_OPTIONS) {
    const a = actual.options[String(code)] ?? null;
    const p = predicted.options[String(code)] ?? null;
    if (a !== p) out.push(`option ${code}: ${an} ${a ?? 'absent'}, ${pn} ${p ?? 'absent'}`);
  }
  return out;
}
