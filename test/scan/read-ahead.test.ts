import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/scan/read-ahead.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('readAhead', () => {
  it('hands results over in item order though later reads finish first, with at most `width` reads under way', async () => {
    let running = 0;
    let most = 0;
    const taken: number[] = [];
    // Item i takes (10 - i % 10) ms: the later ones in each window finish first.
    await readAhead(Array.from({ length: 30 }, (_, i) => i), 4, async (i) => {
      running++;
      most = Math.max(most, running);
      await sleep(10 - (i % 10));
      running--;
      return i * 2;
    }, (result, i) => {
      expect(result).toBe(i * 2);
      taken.push(i);
    });
    expect(taken).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(most).toBe(4);
  });

  it('resolves head() for an item only once every earlier item was taken', async () => {
    const taken: number[] = [];
    const seenAtHead: number[][] = [];
    await readAhead([0, 1, 2, 3, 4], 5, async (i, head) => {
      if (i % 2 === 1) {
        await head();
        seenAtHead.push([i, ...taken]);
      }
      return i;
    }, (i) => taken.push(i));
    expect(seenAtHead).toEqual([[1, 0], [3, 0, 1, 2]]);
  });

  it('fails in the turn of the item whose read failed, after the items before it were taken', async () => {
    const taken: number[] = [];
    const run = readAhead([0, 1, 2, 3], 4, async (i) => {
      if (i === 2) throw new Error('EACCES');
      await sleep(5);
      return i;
    }, (i) => taken.push(i));
    await expect(run).rejects.toThrow('EACCES');
    expect(taken).toEqual([0, 1]);
  });
});
