import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

/** A write the test finishes by hand, recording every batch it was given. */
function manualWrite<T>() {
  const batches: T[][] = [];
  const pending: { items: T[]; finish(): void; fail(err: Error): void }[] = [];
  const write = (items: T[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      pending.push({ items, finish: () => resolve(items.map((i) => `stored ${String(i)}`)), fail: reject });
    });
  return { batches, pending, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('writes the items of one turn together and gives each caller its own result', async () => {
    const { batches, pending, write } = manualWrite<number>();
    const batcher = new Batcher<number, string>(write);
    const results = [1, 2, 3].map((n) => batcher.add(n));
    await turn();
    expect(batches).toEqual([[1, 2, 3]]);
    pending[0]!.finish();
    expect(await Promise.all(results)).toEqual(['stored 1', 'stored 2', 'stored 3']);
  });

  it('groups what arrives while a write runs into the next write, one write at a time by default', async () => {
    const { batches, pending, write } = manualWrite<number>();
    const batcher = new Batcher<number, string>(write);
    void batcher.add(1);
    await turn();
    const later = [2, 3, 4].map((n) => batcher.add(n));
    await turn();
    expect(batches).toEqual([[1]]);
    pending[0]!.finish();
    await turn();
    await turn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    pending[1]!.finish();
    expect(await Promise.all(later)).toEqual(['stored 2', 'stored 3', 'stored 4']);
  });

  it('runs up to maxInFlight writes at once and caps each at maxBatch', async () => {
    const { batches, write } = manualWrite<number>();
    const batcher = new Batcher<number, string>(write, { maxBatch: 2, maxInFlight: 2 });
    for (const n of [1, 2, 3, 4, 5]) void batcher.add(n);
    await turn();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(batcher.waiting).toBe(1);
  });

  it('with isolateFailures, writes a failed batch again item by item so one bad item fails alone', async () => {
    const write = async (items: number[]) => {
      if (items.includes(13)) throw new Error('refused 13');
      return items.map((n) => n * 10);
    };
    const isolated = new Batcher<number, number>(write, { isolateFailures: true });
    const settled = await Promise.allSettled([12, 13, 14].map((n) => isolated.add(n)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([120, 'refused 13', 140]);

    const together = new Batcher<number, number>(write);
    const all = await Promise.allSettled([12, 13].map((n) => together.add(n)));
    expect(all.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });

  it('lets a small batch linger for more, but an urgent item or a full enough batch goes at once', async () => {
    const { batches, pending, write } = manualWrite<number>();
    const batcher = new Batcher<number, string>(write, { linger: { ms: 40, below: 3 } });
    void batcher.add(1);
    await turn();
    expect(batches).toEqual([]); // lingering
    void batcher.add(2, { urgent: true });
    await turn();
    expect(batches).toEqual([[1, 2]]);
    pending[0]!.finish();
    await turn();

    void batcher.add(3);
    void batcher.add(4);
    void batcher.add(5); // reaches `below`
    await turn();
    expect(batches).toEqual([[1, 2], [3, 4, 5]]);
    pending[1]!.finish();

    void batcher.add(6);
    await new Promise((r) => setTimeout(r, 80));
    expect(batches).toEqual([[1, 2], [3, 4, 5], [6]]);
    pending[2]!.finish();
  });

  it('takes only the items `take` picks; the others wait for a later write', async () => {
    const { batches, pending, write } = manualWrite<string>();
    const batcher = new Batcher<string, string>(write, { take: (waiting) => waiting.flatMap((item, i) => (waiting.indexOf(item) === i ? [i] : [])) });
    const results = ['a', 'b', 'a', 'c', 'a'].map((k) => batcher.add(k));
    await turn();
    expect(batches).toEqual([['a', 'b', 'c']]);
    pending[0]!.finish();
    await turn();
    await turn();
    expect(batches[1]).toEqual(['a']);
    pending[1]!.finish();
    await turn();
    await turn();
    expect(batches[2]).toEqual(['a']);
    pending[2]!.finish();
    expect(await Promise.all(results)).toEqual(['stored a', 'stored b', 'stored a', 'stored c', 'stored a']);
  });

  it('drains: resolves once everything added so far is written', async () => {
    const written: number[] = [];
    const batcher = new Batcher<number>(async (items) => {
      await new Promise((r) => setTimeout(r, 5));
      written.push(...items);
    }, { maxBatch: 3 });
    for (let n = 0; n < 10; n++) void batcher.add(n);
    await batcher.drain();
    expect(written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batcher.waiting).toBe(0);
  });

  it('hands its waiting items to another write that carries them, and takes them back if that write fails', async () => {
    const { batches, pending, write } = manualWrite<number>();
    const batcher = new Batcher<number, string>(write, { linger: { ms: 40, below: 10 } });
    const first = [1, 2].map((n) => batcher.add(n));
    expect(batcher.carry((items) => items.length > 5)).toBeUndefined(); // refused: they stay
    const carried = batcher.carry(() => true)!;
    expect(carried.items).toEqual([1, 2]);
    expect(batcher.waiting).toBe(0);
    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 60));
    expect(batches).toEqual([]); // the carrier writes them, not the batcher (its linger was cancelled)
    expect(drained).toBe(false); // drain waits for the carried items
    carried.resolve(['by the carrier 1', 'by the carrier 2']);
    expect(await Promise.all(first)).toEqual(['by the carrier 1', 'by the carrier 2']);
    await draining;

    const second = [3, 4].map((n) => batcher.add(n));
    const failed = batcher.carry(() => true)!;
    void batcher.add(5);
    failed.giveBack(); // first in line again, and written at once
    await turn();
    expect(batches).toEqual([[3, 4, 5]]);
    pending[0]!.finish();
    expect(await Promise.all(second)).toEqual(['stored 3', 'stored 4']);
  });
});
