import { parseDockerTag } from '../src/versions/parse.js';
import { compileLinear } from '../src/versions/pattern.js';
import { TagIndex } from '../src/versions/tags.js';
import { time } from './measure.js';

const PARSES = 100_000;

/** `unit` repeated to exactly `length` characters, then `end`. */
const shape = (unit: string, length: number, end = ''): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length - end.length) + end;

/**
 * Hostile input against ordinary input, in the same run: tag parsing of the worst shapes at the longest allowed tag
 * (128 characters) and of a 1 MB tag, and a catastrophic config pattern on RE2 against a 100k-character subject.
 */
export async function benchVersions(): Promise<string> {
  const ordinary = ['1.27.3-alpine', 'v1.16.1', '16.4.0-debian-12-r15', 'jammy-20241017', '7.4-rc2-alpine'];
  const worst = [shape('1_', 128), shape('1.', 128, '.'), shape('v-', 128), shape('1_', 128, '-'), `1.2.3-${shape('a-', 122)}`];
  const base = timeParses(ordinary);
  const hostile = timeParses(worst);
  const huge = time(() => parseDockerTag(shape('1_', 1_000_000, '!')));
  const re = compileLinear('(a|aa)+$');
  const subject = `${'a'.repeat(100_000)}!`;
  const catastrophic = time(() => re.test(subject));
  const family = (hostile: boolean): string[] => {
    const out: string[] = [];
    for (let i = 1; i <= 50_000; i++) out.push(hostile ? `1.0_${i}-jdk` : `1.${i}.0_${i}-jdk`, `1.0.${i}_999999-jdk`);
    return out;
  };
  const familyOrdinary = time(() => new TagIndex(family(false)).read('docker', parseDockerTag));
  const familyHostile = time(() => new TagIndex(family(true)).read('docker', parseDockerTag));
  return [
    `versions: ${PARSES} tag parses each`,
    `  100k Temurin-shaped tags read into families ${ms(familyOrdinary)}; 100k shaped to make the precision check quadratic ${ms(familyHostile)} (${(familyHostile / familyOrdinary).toFixed(1)}×)`,
    `  ordinary tags ${ms(base)}; worst shapes at 128 characters ${ms(hostile)} (${(hostile / base).toFixed(1)}× ordinary)`,
    `  one 1 MB tag shaped 1_1_…_1!: ${ms(huge)} (rejected by the grammar check)`,
    `  /(a|aa)+$/ on RE2 against 100k characters: ${ms(catastrophic)}`,
  ].join('\n');
}

function timeParses(tags: string[]): number {
  return time(() => {
    for (let i = 0; i < PARSES; i++) parseDockerTag(tags[i % tags.length]!);
  });
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
}
