/** Dates and timestamps: `20251014`, `202411071011`, `20241107101122`, Unix seconds `1669829893`. */
const DATE_LIKE = /^(?:(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])?(?:[0-5]\d){0,2}|1\d{9})$/;

/** Words whose following number counts builds: `3.10-master-777`, `21-ea-32`, `1.2-build-40`. */
const BUILD_WORDS = new Set(['ea', 'master', 'main', 'build', 'nightly', 'snapshot', 'develop', 'trunk', 'ci']);

/** A number glued to a build marker: Windows `KB4487017`, Java `b06`, `build123`. */
const GLUED_BUILD = /^(?<word>KB|b|build)(?<n>\d+)$/i;

/** A group of digits, dotted or not: `777`, `0.1`, `923.1669829893`. */
const NUMBER_GROUP = /^\d+(?:\.\d+)*$/;

/**
 * Splits a tag's suffix into its family (words, with each build written `*`) and its builds, in order.
 * - a number right after the version: `7.2-0.1`, `8.7-923.1669829893`, `4.8.1-20251014-windowsservercore-ltsc2022`
 * - a date or timestamp anywhere: `4.8.0-apache-202411071011`
 * - a number after a build word: `3.10-master-777`, `22-ea-7-windowsservercore-1809`
 * - a number glued to KB or b: `1803-KB4487017`, `8u432-b06-jre`
 * Any other number names the family: `debian-12`, `windowsservercore-1809`, `alpine3.20`, `jdk17`.
 */
export function readSuffix(suffix: string): { family: string; build: number[] } {
  if (suffix === '') return { family: '', build: [] };
  const pieces = suffix.split(/([-_])/);
  const build: number[] = [];
  let previous = '';
  for (let i = 0; i < pieces.length; i += 2) {
    const piece = pieces[i]!;
    const glued = GLUED_BUILD.exec(piece)?.groups;
    if (NUMBER_GROUP.test(piece) && (i === 0 || DATE_LIKE.test(piece) || BUILD_WORDS.has(previous.toLowerCase()))) {
      for (const n of piece.split('.')) build.push(Number(n));
      pieces[i] = '*';
    } else if (glued?.word && glued.n) {
      build.push(Number(glued.n));
      pieces[i] = `${glued.word}*`;
    }
    previous = piece;
  }
  return { family: pieces.join(''), build };
}
