/** Folders whose child folder names an environment: `clusters/staging/app.yaml` → `staging`. */
const ENVIRONMENT_PARENTS = new Set(['clusters', 'envs', 'environments', 'overlays']);
/** Folder names that are an environment wherever they appear: `apps/prod/web.yaml` → `prod`. */
const ENVIRONMENT_NAMES = new Set(['prod', 'production', 'staging', 'stage', 'dev', 'qa']);

/**
 * The environment a file belongs to, from its path (relative, `/` separators): the folder under `clusters/`, `envs/`,
 * `environments/` or `overlays/` when there is one (`apps/web/overlays/eu-west/kustomization.yaml` → `eu-west`); else
 * the first folder named `prod`, `production`, `staging`, `stage`, `dev` or `qa`; else null. The file name itself is
 * never an environment (`clusters/app.yaml` → null).
 */
export function environmentOf(file: string): string | null {
  const folders = file.split('/').slice(0, -1);
  for (const [i, folder] of folders.entries()) {
    const child = folders[i + 1];
    if (ENVIRONMENT_PARENTS.has(folder) && child !== undefined && child !== '') return child;
  }
  return folders.find((f) => ENVIRONMENT_NAMES.has(f)) ?? null;
}
