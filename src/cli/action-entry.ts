import { run } from '../run.js';
import { actionMain } from './action.js';

// The bundled Action's entry (dist-action/index.js, built by scripts/bundle-action.mjs): no install step at run time.
process.exitCode = await actionMain({ run });
