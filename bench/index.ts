import { benchLookup } from './lookup.js';
import { benchPlan } from './plan.js';
import { benchScan } from './scan.js';
import { benchVersions } from './versions.js';

/** `npm run bench`: every figure is reported as a ratio against a baseline measured in the same run. */
const benches: [string, () => Promise<string>][] = [
  ['scan', benchScan],
  ['lookup', benchLookup],
  ['versions', benchVersions],
  ['plan', benchPlan],
];

const only = process.argv[2];
for (const [name, bench] of benches) {
  if (only && only !== name) continue;
  process.stdout.write(`== ${name}\n${await bench()}\n\n`);
}
