import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.ts';

describe('a semaphore', () => {
  it('lets at most its number of holders in, and the next in arrival order when one leaves', async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const c = semaphore.acquire().then((release) => (order.push('c'), release));
    const d = semaphore.acquire().then((release) => (order.push('d'), release));
    await new Promise((r) => setImmediate(r));
    expect(semaphore.state).toEqual({ held: 2, waiting: 2 });
    a();
    a(); // a second release of the same slot does nothing
    await c;
    expect(order).toEqual(['c']);
    b();
    (await d)();
    (await c)();
    expect(order).toEqual(['c', 'd']);
    expect(semaphore.state).toEqual({ held: 0, waiting: 0 });
  });
});
