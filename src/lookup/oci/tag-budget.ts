import { RegistryError } from '../../errors.js';
import type { ImageLocation } from './reference.js';

/**
 * Bounds on tag lists. Per lookup, all pages together: far above the largest real repositories (distribution 2.8 with
 * 150k CI tags), far below what hurts. Per run, all lookups together: what the run keeps in memory until it ends.
 */
export interface TagLimits {
  lookupBytes: number;
  lookupTags: number;
  runBytes: number;
  runTags: number;
}

export const DEFAULT_TAG_LIMITS: TagLimits = {
  lookupBytes: 64 * 1024 * 1024,
  lookupTags: 250_000,
  runBytes: 64 * 1024 * 1024,
  runTags: 1_000_000,
};

/**
 * One run's tag-list budgets. Past a budget the lookup fails with a `RegistryError`, never with a truncated list:
 * ghcr.io and quay.io list oldest first, so a cut list would pick a stale version.
 */
export class TagBudgets {
  private readonly limits: TagLimits;
  private runBytes = 0;
  private runTags = 0;

  constructor(limits: Partial<TagLimits>) {
    this.limits = { ...DEFAULT_TAG_LIMITS, ...limits };
  }

  /** The counter for one tag list; `release` gives its share of the run budget back when the lookup fails. */
  lookup(loc: ImageLocation): LookupBudget {
    return new LookupBudget(loc, this.limits, {
      add: (bytes, tags) => {
        this.runBytes += bytes;
        this.runTags += tags;
        return { bytes: this.runBytes, tags: this.runTags };
      },
    });
  }
}

interface RunTotals {
  /** Adds (or with negative numbers, removes) and returns the new totals. */
  add(bytes: number, tags: number): { bytes: number; tags: number };
}

export class LookupBudget {
  private bytes = 0;
  private tags = 0;

  constructor(
    private readonly loc: ImageLocation,
    private readonly limits: TagLimits,
    private readonly run: RunTotals,
  ) {}

  /** `length` of a page body: UTF-16 units, which for the ASCII a tag list is made of are its bytes. */
  addBytes(n: number, pages: number): void {
    this.bytes += n;
    const run = this.run.add(n, 0);
    if (this.bytes > this.limits.lookupBytes) throw this.over(`more than ${this.limits.lookupBytes} bytes in ${plural(pages, 'page')}`);
    if (run.bytes > this.limits.runBytes) throw this.over(`the run's tag lists passed ${this.limits.runBytes} bytes in all`);
  }

  /** One page's tags at once: the page is already parsed, so counting them one by one would bound nothing more. */
  addTags(n: number, pages: number): void {
    this.tags += n;
    const run = this.run.add(0, n);
    if (this.tags > this.limits.lookupTags) throw this.over(`more than ${this.limits.lookupTags} tags in ${plural(pages, 'page')}`);
    if (run.tags > this.limits.runTags) throw this.over(`the run's tag lists passed ${this.limits.runTags} tags in all`);
  }

  /**
   * Before `JSON.parse`: parsed JSON can take ten times its bytes (`{"tags":[{},{},…]}`), so a page with more values
   * than the tags this lookup may still take (plus a few other fields) is refused unparsed. One linear pass.
   */
  checkValues(json: string, pages: number): void {
    const allowed = this.limits.lookupTags - this.tags + OTHER_VALUES;
    if (countValuesPast(json, allowed) > allowed) throw this.over(`more than ${this.limits.lookupTags} values in ${plural(pages, 'page')}`);
  }

  /** The lookup failed: what it counted no longer takes memory. */
  release(): void {
    this.run.add(-this.bytes, -this.tags);
    this.bytes = 0;
    this.tags = 0;
  }

  private over(what: string): RegistryError {
    const { registry, repository, apiHost } = this.loc;
    return new RegistryError(`${registry}/${repository}: tag list too large (${what}); not using a partial list`, { host: apiHost });
  }
}

/** Room for the fields beside `tags` (`name`, and whatever else a registry adds). */
const OTHER_VALUES = 1000;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;

/**
 * Roughly how many values `JSON.parse` would make of `json` (separators and containers outside strings), counting
 * only until it passes `limit`. `{"name":"a","tags":["1.0","1.1"]}` → 6.
 */
export function countValuesPast(json: string, limit: number): number {
  let count = 0;
  let inString = false;
  for (let i = 0; i < json.length && count <= limit; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === COMMA || c === COLON || c === OPEN_BRACKET || c === OPEN_BRACE) {
      count++;
    }
  }
  return count;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
