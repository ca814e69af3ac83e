import { installProxy } from '../proxy.js';
import { run } from '../run.js';
import { actionMain } from './action.js';

// A self-hosted runner behind a proxy: HTTPS_PROXY/HTTP_PROXY/NO_PROXY for registries and the GitHub API.
await installProxy(process.env);

// The bundled Action's entry (dist-action/index.js, built by scripts/bundle-action.mjs): no install step at run time.
process.exitCode = await actionMain({ run });
