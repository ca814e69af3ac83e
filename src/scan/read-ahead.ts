/**
 * Runs `read` over `items` with up to `width` of them started ahead of the consumer, and hands each result to `take`
 * in item order. The file system works on the next files while this one is taken, yet whatever depends on order (a
 * repository's budget, what is reported over it) sees them one by one, as a sequential walk would: the same files
 * every run. `read` gets `head()`, resolved once every earlier item has been taken, for work that must wait its turn.
 * A `read` that rejects rejects the whole call when its turn comes.
 */
export async function readAhead<T, R>(
  items: readonly T[],
  width: number,
  read: (item: T, head: () => Promise<void>) => Promise<R>,
  take: (result: R, item: T) => void,
): Promise<void> {
  const pending = new Map<number, { result: Promise<R>; reached: () => void }>();
  const start = (i: number): void => {
    let reached!: () => void;
    const turn = new Promise<void>((r) => (reached = r));
    const result = read(items[i]!, () => turn);
    // Awaited in its turn below; until then a rejection must not count as unhandled.
    result.catch(() => undefined);
    pending.set(i, { result, reached });
  };
  for (let i = 0; i < Math.min(width, items.length); i++) start(i);
  for (let i = 0; i < items.length; i++) {
    const slot = pending.get(i)!;
    pending.delete(i);
    slot.reached();
    take(await slot.result, items[i]!);
    if (i + width < items.length) start(i + width);
  }
}
