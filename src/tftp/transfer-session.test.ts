import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTftp, encodeAck, encodeError, encodeRequest } from '../wire/tftp/codec.js';
import { Opcode, type TftpPacket } from '../wire/tftp/packet.js';
import { TransferSession, type Peer, type SessionOutcome, type SessionParams } from './transfer-session.js';

const client: Peer = { address: '198.18.0.2', port: 40000 };

interface Harness {
  session: TransferSession;
  sent: { packet: TftpPacket; to: Peer }[];
  outcomes: SessionOutcome[];
  drops: string[];
  /** DATA block numbers sent since the last call. */
  takeData(): number[];
  ack(block: number, from?: Peer): void;
}

function harness(size: number, over: Partial<SessionParams> = {}): Harness {
  const data = Buffer.alloc(size, 0x5a);
  const sent: Harness['sent'] = [];
  const outcomes: SessionOutcome[] = [];
  const drops: string[] = [];
  let taken = 0;
  const session = new TransferSession({
    peer: client,
    data,
    blksize: 512,
    windowsize: 1,
    timeoutMs: 1000,
    retries: 2,
    oack: null,
    send: (chunks, to) => {
      const r = decodeTftp(Buffer.concat(chunks));
      assert.ok(r.ok);
      sent.push({ packet: r.packet, to });
    },
    onEnd: (o) => outcomes.push(o),
    onDrop: (d) => drops.push(d),
    ...over,
  });
  return {
    session,
    sent,
    outcomes,
    drops,
    takeData() {
      const fresh = sent.slice(taken);
      taken = sent.length;
      return fresh.flatMap((s) => (s.packet.opcode === Opcode.Data ? [s.packet.block] : []));
    },
    ack(block, from = client) {
      session.receive(encodeAck(block), from);
    },
  };
}

test('lock-step without options: DATA 1.., zero-length final block when size is a multiple of blksize', () => {
  const h = harness(1024);
  h.session.start();
  assert.deepEqual(h.takeData(), [1]);
  h.ack(1);
  assert.deepEqual(h.takeData(), [2]);
  h.ack(2);
  const last = h.sent.at(-1)?.packet;
  assert.ok(last?.opcode === Opcode.Data && last.block === 3 && last.data.length === 0);
  h.ack(3);
  assert.deepEqual(h.outcomes, [{ kind: 'completed' }]);
});

test('empty file: one empty DATA block', () => {
  const h = harness(0);
  h.session.start();
  assert.deepEqual(h.takeData(), [1]);
  h.ack(1);
  assert.deepEqual(h.outcomes, [{ kind: 'completed' }]);
});

test('a duplicate ACK never causes a resend (no Sorcerer\'s Apprentice)', () => {
  const h = harness(512 * 5 + 1);
  h.session.start();
  for (let b = 1; b <= 6; b++) {
    h.ack(b);
    h.ack(b);
    h.ack(b - 1);
  }
  assert.deepEqual(h.takeData(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(h.outcomes, [{ kind: 'completed' }]);
});

test('OACK first; data after ACK 0; ERROR 8 after OACK is an abort', () => {
  const h = harness(100, { oack: [['tsize', '100']] });
  h.session.start();
  assert.deepEqual(h.sent[0]?.packet, { opcode: Opcode.Oack, options: [['tsize', '100']] });
  h.ack(0);
  assert.deepEqual(h.takeData(), [1]);

  const e = harness(100, { oack: [['tsize', '100']] });
  e.session.start();
  e.session.receive(encodeError(8, 'windowsize missing'), client);
  assert.deepEqual(e.outcomes, [{ kind: 'aborted', code: 8, message: 'windowsize missing' }]);
});

test('windowsize: a full window per ACK; an ACK inside the window restarts it after that block', () => {
  const h = harness(512 * 10 + 7, { windowsize: 4, oack: [['windowsize', '4']] });
  h.session.start();
  h.ack(0);
  assert.deepEqual(h.takeData(), [1, 2, 3, 4]);
  h.ack(4);
  assert.deepEqual(h.takeData(), [5, 6, 7, 8]);
  h.ack(6); // the client lost 7
  assert.deepEqual(h.takeData(), [7, 8, 9, 10]);
  h.ack(6); // duplicate: nothing
  assert.deepEqual(h.takeData(), []);
  h.ack(10);
  assert.deepEqual(h.takeData(), [11]);
  h.ack(12); // never sent: ignored
  h.ack(11);
  assert.deepEqual(h.outcomes, [{ kind: 'completed' }]);
});

test('block numbers roll over from 65535 to 0', () => {
  const blocks = 65537;
  const h = harness(8 * blocks, { blksize: 8, windowsize: 3 });
  h.session.start();
  const seen: number[] = [];
  let wire = 0;
  while (h.outcomes.length === 0) {
    const got = h.takeData();
    seen.push(...got);
    wire = got.at(-1) ?? wire;
    h.ack(wire);
  }
  assert.equal(seen.length, blocks + 1);
  assert.deepEqual(seen.slice(65533, 65539), [65534, 65535, 0, 1, 2]);
  assert.equal(h.outcomes[0]?.kind, 'completed');
});

test('a stranger gets ERROR 5 and the transfer carries on', () => {
  const h = harness(600);
  h.session.start();
  h.takeData();
  const stranger = { address: client.address, port: 40001 };
  h.ack(1, stranger);
  assert.deepEqual(h.sent.at(-1), { packet: { opcode: Opcode.Error, code: 5, message: 'Unknown transfer ID' }, to: stranger });
  assert.deepEqual(h.takeData(), []);
  h.ack(1);
  assert.deepEqual(h.takeData(), [2]);
  h.ack(2);
  assert.equal(h.outcomes[0]?.kind, 'completed');
});

test('junk from the peer is dropped without disturbing the transfer', () => {
  const h = harness(10);
  h.session.start();
  h.session.receive(Buffer.from([0, 4, 0]), client);
  h.session.receive(encodeRequest({ filename: 'x', mode: 'octet', options: [] }), client);
  assert.deepEqual(h.drops, ['TFTP_TRUNCATED', 'unexpected opcode 1']);
  h.ack(1);
  assert.equal(h.outcomes[0]?.kind, 'completed');
});

test('timeouts retransmit the window, then give up after the retries with ERROR 0', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const h = harness(512 * 3, { windowsize: 2, retries: 2 });
    h.session.start();
    assert.deepEqual(h.takeData(), [1, 2]);
    mock.timers.tick(999);
    assert.deepEqual(h.takeData(), []);
    mock.timers.tick(1);
    assert.deepEqual(h.takeData(), [1, 2], 'first retransmission');
    h.ack(1); // progress resets the retry budget
    assert.deepEqual(h.takeData(), [2, 3]);
    mock.timers.tick(1000);
    mock.timers.tick(1000);
    assert.deepEqual(h.takeData(), [2, 3, 2, 3]);
    assert.equal(h.outcomes.length, 0);
    mock.timers.tick(1000);
    assert.deepEqual(h.sent.at(-1)?.packet, { opcode: Opcode.Error, code: 0, message: 'Timeout' });
    assert.equal(h.outcomes[0]?.kind, 'failed');
    assert.equal(h.session.retransmits, 3);
  } finally {
    mock.timers.reset();
  }
});

test('the OACK is retransmitted on timeout too', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const h = harness(10, { oack: [['blksize', '8']], blksize: 8, retries: 1 });
    h.session.start();
    mock.timers.tick(1000);
    assert.equal(h.sent.filter((s) => s.packet.opcode === Opcode.Oack).length, 2);
    mock.timers.tick(1000);
    assert.equal(h.outcomes[0]?.kind, 'failed');
  } finally {
    mock.timers.reset();
  }
});
