/** The closest of `options` to a misspelt `word`, when close enough to be a likely typo (`sepratMajor` → `separateMajor`). */
export function didYouMean(word: string, options: readonly string[]): string | null {
  // No option is this long, and comparing costs the product of the lengths: a 1 MB key is no typo.
  if (word.length > 256) return null;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = option.toLowerCase() === word.toLowerCase() ? 0 : levenshtein(word, option);
    if (d < bestDistance) [best, bestDistance] = [option, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(row[j - 1]! + 1, prev[j]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
