/**
 * The one source of the config file's shape. `config/schema.json` (for editors) and `docs/configuration.md` are
 * generated from it (`npm run schema`), and `validate.ts` checks user files against it. Formats beyond JSON Schema's
 * own: `package-pattern` (glob or `/regex/`), `version-range` (semver range or `/regex/`), `duration` (`3 days`),
 * `glob` (picomatch syntax, run on RE2 by config/glob.ts).
 */
const MANAGERS = ['kubernetes', 'helm-values', 'helm-chart', 'kustomize', 'flux', 'argocd', 'helmfile', 'docker-compose'] as const;
const DATASOURCES = ['docker', 'helm'] as const;
const UPDATE_TYPES = ['major', 'minor', 'patch', 'digest', 'pin'] as const;
const DURATION_PATTERN = '^\\s*\\d+\\s*(m|mins?|minutes?|h|hours?|d|days?|w|weeks?)\\s*$';

const RULE_MATCH = {
  type: 'object',
  description: 'Which dependencies the rule applies to. Every listed criterion must match; an absent one matches all.',
  additionalProperties: false,
  properties: {
    packageNames: {
      type: 'array',
      description: 'Image or chart names: globs (`ghcr.io/acme/*`, `bitnami/*`) or `/regex/`. `nginx` also matches as `docker.io/library/nginx`.',
      items: { type: 'string', format: 'package-pattern' },
    },
    managers: { type: 'array', description: 'Where the reference was found.', items: { type: 'string', enum: MANAGERS } },
    paths: { type: 'array', description: 'File-path globs relative to the repository root (`apps/prod/**`).', items: { type: 'string', format: 'glob' } },
    updateTypes: { type: 'array', description: 'Kinds of update.', items: { type: 'string', enum: UPDATE_TYPES } },
    datasources: { type: 'array', description: '`docker` for images, `helm` for charts.', items: { type: 'string', enum: DATASOURCES } },
    currentVersion: {
      type: 'string',
      format: 'version-range',
      description: 'A semver range (`<2`) or `/regex/` tested against the current version.',
    },
  },
} as const;

const RULE = {
  type: 'object',
  description: 'Settings for the dependencies `match` selects. Rules apply in order; a later rule wins.',
  additionalProperties: false,
  properties: {
    description: { type: 'string', description: 'Why the rule exists; shown in plan reasons.' },
    match: RULE_MATCH,
    enabled: { type: 'boolean', default: true, description: '`false` leaves the matched dependencies alone.' },
    allowedVersions: {
      type: 'string',
      format: 'version-range',
      description: 'A semver range (`<1.30`) or `/regex/` every new version must satisfy.',
    },
    versioning: {
      type: 'string',
      format: 'regex',
      description:
        'A regex with named groups `major`, `minor`, `patch`, `build`, `compatibility` (and `prerelease`) for tags the built-in schemes do not read, e.g. `^main-[0-9a-f]+-(?<build>\\d+)$`. Every pattern in this file runs on RE2 (linear time): no lookaround or backreferences; flags `i`, `m`, `s`.',
    },
    allowPrerelease: { type: 'boolean', default: false, description: 'Take pre-releases even when the current version is stable.' },
    pinDigests: { type: 'boolean', default: false, description: 'Add the digest to image references that have none (`pin` updates).' },
    separateMajor: {
      type: 'boolean',
      default: true,
      description: 'Offer a major update on its own branch alongside the newest minor/patch one; `false`: only the newest overall.',
    },
    minimumReleaseAge: {
      type: 'string',
      format: 'duration',
      pattern: DURATION_PATTERN,
      description: 'Wait until a version is this old (`3 days`, `12h`, `30m`, `1 week`).',
    },
    minimumReleaseAgeMissing: {
      type: 'string',
      enum: ['wait', 'allow'],
      default: 'allow',
      description: 'When the registry gives no release time: `allow` the update (and say so in the plan) or `wait`.',
    },
    rangeStrategy: {
      type: 'string',
      enum: ['keep', 'pin', 'replace'],
      default: 'keep',
      description:
        'Version ranges (`~1.2`, `1.x.x`, `^2.0.0`, `>=1.0.0 <2.0.0` in Chart.yaml, a HelmRelease, an OCIRepository `semver`): `keep` reports them and leaves them alone; `pin` writes the newest allowed version as an exact version; `replace` rewrites the range in its own style (`~1.2` → `~1.4`, `1.x.x` → `2.x.x`) when it does not allow the newest version.',
    },
    group: { type: 'string', description: 'Put every matched dependency in one branch and PR named after the group.' },
    labels: { type: 'array', items: { type: 'string' }, description: 'Labels for the pull request.' },
    reviewers: { type: 'array', items: { type: 'string' }, description: 'Reviewers to request: users, or `org/team` for a GitHub team. GitLab takes users only: a name with a slash is refused there.' },
    assignees: { type: 'array', items: { type: 'string' }, description: 'Assignees of the pull request.' },
    automerge: { type: 'boolean', default: false, description: 'Merge the pull request when its checks pass. GitHub: the repository must allow auto-merge; GitLab: the merge request needs a pipeline. When it cannot be enabled, the run and the dashboard say why.' },
    sourceUrl: {
      type: 'string',
      format: 'uri',
      description:
        'The source repository of the matched packages (`https://github.com/acme/web`), for release notes in pull requests: used before the image\'s `org.opencontainers.image.source` label and the chart\'s `sources`. Read anonymously unless it is on the platform the run publishes to.',
    },
    automergeRisky: {
      type: 'boolean',
      default: false,
      description:
        'Let `automerge` merge chart updates the review found risks in (values the new chart no longer has, values its `values.schema.json` rejects, a changed `kubeVersion`: docs/review.md). Default `false`: such a pull request waits for a person.',
    },
  },
} as const;

const REGISTRY = {
  type: 'object',
  description: 'Settings for one registry host (`ghcr.io`, `registry.example.com:5000`). Credentials are not set here: the operator binds them to hosts (docs/security.md).',
  additionalProperties: false,
  properties: {
    insecure: {
      type: 'boolean',
      default: false,
      description: 'Speak plain HTTP to this host. Ignored, with a warning, for a host the operator holds credentials for: those are only sent over HTTPS (or to loopback).',
    },
    usernameEnv: { type: 'string', description: 'Ignored, with a warning: a repository cannot choose credentials. The operator binds them to hosts with host rules (`--host-rules`, `TIDEMARK_HOST_RULES`, the Action\'s `host-rules` input); see docs/security.md.' },
    passwordEnv: { type: 'string', description: 'Ignored, with a warning: a repository cannot choose credentials (see `usernameEnv`).' },
    tokenEnv: { type: 'string', description: 'Ignored, with a warning: a repository cannot choose credentials (see `usernameEnv`).' },
    mirrorOf: { type: 'string', description: 'This host (or host/path of a pull-through cache) mirrors another registry: with `docker.io`, `mirror.gcr.io/x` is looked up as `docker.io/x`, and under the key `harbor.example.com/dockerhub-proxy` the image `harbor.example.com/dockerhub-proxy/library/nginx` as `docker.io/library/nginx`.' },
  },
} as const;

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Tidemark configuration (.tidemark.yaml)',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'The JSON Schema this file follows, for editors.' },
    ignorePaths: {
      type: 'array',
      items: { type: 'string', format: 'glob' },
      default: [],
      description: 'Globs of files and directories not to scan (`charts/vendor/**`).',
    },
    rules: { type: 'array', items: RULE, default: [], description: 'Ordered rules; a later rule wins.' },
    registries: { type: 'object', additionalProperties: REGISTRY, default: {}, description: 'Per-host registry settings, keyed by host (`ghcr.io`, `127.0.0.1:5000`) or, for mirrors, host/path.' },
    branchPrefix: { type: 'string', default: 'tidemark/', description: 'Prefix of every branch Tidemark creates.' },
    commitMessagePrefix: { type: ['string', 'null'], default: null, description: 'Prefix of commit messages and PR titles (`chore(deps)`).' },
    author: {
      type: 'object',
      additionalProperties: false,
      description:
        'Author of Tidemark\'s commits; Tidemark knows its own commits on a branch by this email together with its `Tidemark-Update` trailer, so changing it makes existing branches look like someone else\'s. The operator\'s `TIDEMARK_GIT_AUTHOR` ("Name <email>") wins over it. When neither is set: the GitHub Action with the workflow token commits as `github-actions[bot]`, anything else as the default, whose `.invalid` domain (RFC 2606) can never be anyone\'s address.',
      properties: {
        name: { type: 'string', default: 'Tidemark', description: 'Author name.' },
        email: { type: 'string', default: 'tidemark@users.noreply.invalid', description: 'Author email.' },
      },
    },
    prConcurrentLimit: {
      type: 'integer',
      minimum: 0,
      default: 10,
      description: 'Most open Tidemark PRs (on plain git: unmerged branches) at once; 0 for no limit. Branches held back are named in the run summary and on the dashboard, and open on a later run as slots free up.',
    },
    prHourlyLimit: {
      type: 'integer',
      minimum: 0,
      default: 2,
      description: 'Most PRs (on plain git: new branches) opened per hour; 0 for no limit. A first run on a repository with many updates opens two; the rest follow on later runs.',
    },
    dashboard: { type: 'boolean', default: false, description: 'Keep a dependency dashboard issue.' },
    riskLabel: {
      type: ['string', 'null'],
      default: 'tidemark:review-risks',
      description: 'Label added to a pull request whose chart update has risks (docs/review.md); null for none.',
    },
    releaseNotes: {
      type: 'boolean',
      default: true,
      description: 'Release notes in pull requests, read from the source repository\'s GitHub or GitLab releases (docs/review.md). false reads none: no request goes to any code host for them (air-gapped installs); the PR body still links the releases page. The operator turns them off for every repository with `TIDEMARK_RELEASE_NOTES=off`.',
    },
    baseBranch: { type: ['string', 'null'], default: null, description: 'Branch PRs target; null for the default branch.' },
  },
} as const;

/** The subset of JSON Schema this schema uses and the docs generator understands (the validator, ajv, reads all of it). */
export interface SchemaNode {
  type?: string | readonly string[];
  description?: string;
  default?: unknown;
  enum?: readonly string[];
  format?: string;
  pattern?: string;
  minimum?: number;
  items?: SchemaNode;
  properties?: Readonly<Record<string, SchemaNode>>;
  additionalProperties?: boolean | SchemaNode;
}
