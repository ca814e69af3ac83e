import { effectiveSettings, type EffectiveSettings, type MatchSubject } from '../config/rules.js';
import type { Rule, UpdateType } from '../config/types.js';
import { RegistryError } from '../errors.js';
import type { PackageRef, PackageReleases, ReleaseSource } from '../lookup/types.js';
import { isDigest } from '../lookup/validate.js';
import { isFloatingTag } from '../scan/found.js';
import type { Dependency } from '../scan/types.js';
import { heldVerdict, pickTarget, type CandidateVerdict, type PickedTarget, type PickResult } from '../versions/pick.js';
import type { TagIndex } from '../versions/tags.js';
import type { SchemeName } from '../versions/types.js';
import type { ReleaseAges } from './age.js';
import { lookupFailureOf, type LookupFailure } from './failures.js';
import type { Unchanged, UnchangedKind, Update } from './types.js';

export interface DependencyInput {
  dep: Dependency;
  pkg: PackageRef;
  releases: PackageReleases;
  /** The package's versions, read once for all its references. */
  tags: TagIndex;
  source: ReleaseSource;
  rules: readonly Rule[];
  /** Settings before the update type is known. */
  settings: EffectiveSettings;
  /** Ticked on the dashboard: bypasses `enabled: false` and the minimum release age. */
  approved: boolean;
  ages: ReleaseAges;
  /** Asked for by `--explain`: every candidate's verdict is recorded; otherwise only what the outcome needs. */
  explain: boolean;
}

export interface DependencyResult {
  updates: Update[];
  unchanged: Unchanged | null;
  candidates: CandidateVerdict[];
  /**
   * A registry request failed on the way (a digest), though other targets may have gone through: a partial failure.
   * Its host and problem, and its message.
   */
  failure?: LookupFailure & { message: string };
}

/** Decides what one dependency moves to (0, 1 or 2 updates), or why it stays. Lookups go through `source`. */
export async function planDependency(input: DependencyInput): Promise<DependencyResult> {
  const { dep } = input;
  if (dep.currentValue === null) return stays(dep, 'not-a-version', 'pinned by digest only; there is no tag to compare', []);
  if (dep.skipReason === 'unpinned' || (dep.currentDigest !== null && isFloatingTag(dep.currentValue))) {
    // A floating tag (`latest@sha256:…`, scanned as a dependency): no version to pick, only its digest to follow or pin.
    const same = await sameTagUpdate(input, dep.currentValue);
    if (same) return { updates: [same], unchanged: null, candidates: [] };
    const why = dep.currentDigest ? 'is pinned to its current digest' : 'has no digest to pin to';
    return stays(dep, dep.currentDigest ? 'up-to-date' : 'no-digest', `floating tag "${dep.currentValue}" ${why}`, []);
  }
  const result = await pickUnderAge(input, dep.currentValue);
  const updates: Update[] = [];
  const held: { kind: UnchangedKind; text: string }[] = [];
  let failure: (LookupFailure & { message: string }) | undefined;
  for (const target of result.pick.targets) {
    const s = settingsFor(input, target.updateType);
    if (!s.enabled && !input.approved) {
      held.push({ kind: 'disabled', text: `${target.updateType} update to ${target.version} disabled by ${s.disabledBy}` });
      continue;
    }
    let digest: { value: string | null; missing: boolean };
    try {
      digest = await newDigestFor(input, target.version, s);
    } catch (err) {
      // Never write a digest-pinned reference without its digest; the other target (minor beside major) may still go.
      if (!(err instanceof RegistryError)) throw err;
      held.push({ kind: 'lookup-failed', text: `lookup failed: digest of ${target.version}: ${err.message}` });
      failure ??= { ...lookupFailureOf(err), message: `digest of ${target.version}: ${err.message}` };
      continue;
    }
    if (digest.missing) {
      held.push({ kind: 'no-digest', text: `no digest found for ${target.version}, and the reference is pinned by digest` });
      continue;
    }
    const verdict = result.pick.verdicts.find((v) => v.version === target.version);
    const notes = [result.notes.get(target.version), digest.value && dep.currentDigest ? 'digest kept pinned' : null];
    updates.push(makeUpdate(input, target, digest.value, `${target.version} is the ${verdict?.reason ?? 'newest version'}`, notes, s));
  }
  if (updates.length > 0) return { updates, unchanged: null, candidates: result.pick.verdicts, ...(failure && { failure }) };
  if (held.length > 0) {
    const stayed = stays(dep, heldKind(held), held.map((h) => h.text).join('; '), result.pick.verdicts);
    if (failure && stayed.unchanged) stayed.unchanged.failure = { host: failure.host, problem: failure.problem };
    return { ...stayed, ...(failure && { failure }) };
  }
  const same = await sameTagUpdate(input, dep.currentValue);
  if (same) return { updates: [same], unchanged: null, candidates: result.pick.verdicts };
  return stays(dep, pickKind(result.pick), result.pick.reason ?? 'up to date', result.pick.verdicts);
}

/** A disabled update can be approved on the dashboard, so it names the whole when several targets are held. */
function heldKind(held: { kind: UnchangedKind }[]): UnchangedKind {
  if (held.some((h) => h.kind === 'disabled')) return 'disabled';
  return held.some((h) => h.kind === 'lookup-failed') ? 'lookup-failed' : (held[0]?.kind ?? 'up-to-date');
}

/** Why a pick without targets moved nothing: the current value, a rule, the minimum age, or nothing newer. */
export function pickKind(pick: PickResult): UnchangedKind {
  if (!pick.current) return 'not-a-version';
  const held = heldVerdict(pick.verdicts);
  if (!held) return pick.elsewhere ? 'other-family' : 'up-to-date';
  return held.rejectKind === 'blocked' ? 'too-new' : 'not-allowed';
}

export interface AgedPick {
  pick: PickResult;
  /** Per picked version, a note for the update's reason (release time unknown but allowed). */
  notes: Map<string, string>;
}

/** How to read versions: the dependency's own scheme by default; version ranges always read chart versions as semver. */
export interface ReadAs {
  scheme: SchemeName;
  versioning: string | null;
}

/** Picks, then checks the picked versions' ages; a too-new one is ruled out and the pick repeated, lazily. */
export async function pickUnderAge(input: DependencyInput, current: string, readAs?: ReadAs): Promise<AgedPick> {
  const { settings } = input;
  const blocked = new Map<string, string>();
  const notes = new Map<string, string>();
  const checked = new Set<string>();
  for (;;) {
    const pick = pickTarget(current, input.tags, {
      scheme: readAs?.scheme ?? (input.dep.datasource === 'helm' ? 'semver' : 'docker'),
      versioning: readAs ? readAs.versioning : settings.versioning,
      allowPrerelease: settings.allowPrerelease,
      allowedVersions: settings.allowedVersions,
      separateMajor: settings.separateMajor,
      blocked,
      allVerdicts: input.explain,
    });
    const pending = input.approved ? [] : pick.targets.filter((t) => !checked.has(t.version));
    if (pending.length === 0) return { pick, notes };
    const before = blocked.size;
    for (const t of pending) {
      checked.add(t.version);
      const age = await input.ages.check(t.version, settingsFor(input, t.updateType));
      if (age.blocked) blocked.set(t.version, age.blocked);
      if (age.note) notes.set(t.version, age.note);
    }
    // Nothing ruled out: picking again with the same question would give the same answer.
    if (blocked.size === before) return { pick, notes };
  }
}

export function settingsFor(input: DependencyInput, updateType: UpdateType): EffectiveSettings {
  return effectiveSettings(input.rules, { ...subjectOf(input.dep), updateType }, input.dep.controls);
}

export function subjectOf(dep: Dependency): MatchSubject {
  return { name: dep.name, manager: dep.manager, datasource: dep.datasource, file: dep.file, currentValue: dep.currentValue };
}

/** The digest to write with a new tag: kept pinned when it was, added when the rules pin; `missing` when it can't be kept. */
export async function newDigestFor(input: DependencyInput, version: string, s: EffectiveSettings): Promise<{ value: string | null; missing: boolean }> {
  const { dep } = input;
  if (dep.datasource !== 'docker') return { value: null, missing: false };
  const canPin = s.pinDigests && dep.digestInsertAt !== undefined && dep.digestInsertAt !== null;
  if (!dep.currentDigest && !canPin) return { value: null, missing: false };
  const value = await validatedDigest(input, version);
  return { value, missing: value === null && dep.currentDigest !== null };
}

/**
 * The registry's digest for a tag, refused unless it is `sha256:`/`sha512:` + lowercase hex: whatever source planning is
 * given, an update never carries a digest that was not validated (the editor's re-scan is not the gate).
 */
async function validatedDigest(input: DependencyInput, version: string): Promise<string | null> {
  const value = await input.source.digest(input.pkg, version);
  if (value === null || isDigest(value)) return value;
  throw new RegistryError(`invalid digest for ${input.pkg.name}:${version}`, { host: '' });
}

/** Same tag, new digest (`digest`), or a digest added to a tag-only reference (`pin`). */
async function sameTagUpdate(input: DependencyInput, tag: string): Promise<Update | null> {
  const { dep } = input;
  if (dep.datasource !== 'docker') return null;
  const type: UpdateType | null = dep.currentDigest ? 'digest' : dep.digestInsertAt != null ? 'pin' : null;
  if (!type) return null;
  const s = settingsFor(input, type);
  if (type === 'pin' && !s.pinDigests) return null;
  if (!s.enabled && !input.approved) return null;
  const digest = await validatedDigest(input, tag);
  if (!digest || digest === dep.currentDigest) return null;
  const reason = type === 'digest' ? `${tag} was rebuilt: its digest changed` : `pins ${tag} to its digest (pinDigests)`;
  return makeUpdate(input, { version: tag, updateType: type }, digest, reason, [], s);
}

export function makeUpdate(
  input: DependencyInput,
  target: { version: string; updateType: UpdateType },
  newDigest: string | null,
  reason: string,
  notes: (string | null | undefined)[],
  s: EffectiveSettings,
): Update {
  const extra = [...notes, input.approved && (!input.settings.enabled || input.settings.minimumReleaseAge) ? 'approved on the dashboard' : null];
  const said = extra.filter((n): n is string => !!n);
  return {
    dependency: input.dep,
    newValue: target.version,
    newDigest,
    updateType: target.updateType,
    group: s.group,
    reason: said.length ? `${reason} (${said.join('; ')})` : reason,
    labels: s.labels,
    reviewers: s.reviewers,
    assignees: s.assignees,
    automerge: s.automerge,
    ...(s.automergeFrom && { automergeFrom: s.automergeFrom }),
    sourceUrl: s.sourceUrl ?? input.releases.sourceUrl ?? null,
    homepage: input.releases.homepage ?? null,
  };
}

export function stays(dep: Dependency, kind: UnchangedKind, reason: string, candidates: CandidateVerdict[]): DependencyResult {
  return { updates: [], unchanged: { dependency: dep, reason, kind }, candidates };
}

export type { PickedTarget };
