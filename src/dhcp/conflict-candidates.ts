/**
 * Which addresses the pool is about to offer, so conflict detection can probe them before
 * any client is waiting (`conflict-detector.ts`). Pure: the same rule as `pool.ts` for a
 * client with no history (lowest free address of the subnet's pools), asked `count` times,
 * each time with the previous answers excluded.
 */
import { chooseAddress, type PoolQuery } from './pool.js';

/** The next `count` addresses a new client would be offered, lowest first (fewer when the pools run out). */
export function nextFreeAddresses(q: Omit<PoolQuery, 'clientId' | 'mac'>, count: number): string[] {
  const out: string[] = [];
  const exclude = [...q.exclude];
  for (let i = 0; i < count; i++) {
    // Client key and MAC '' match no lease row and no reservation: a client with no history.
    const choice = chooseAddress({ ...q, clientId: '', mac: '', exclude }, null, null);
    if (choice === null) break;
    out.push(choice.address);
    exclude.push(choice.address);
  }
  return out;
}
