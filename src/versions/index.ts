export type { NotVersionKind, ParsedVersion, SchemeName } from './types.js';
export { notVersionKind, parseChartVersion, parseCustom, parseDockerTag, parseVersion, splitIdentifiers } from './parse.js';
export { compareParsed, shapeMismatch, updateType, updateTypeOf } from './compare.js';
export { isRegexLiteral, isVersionRange, rangeProblem, regexFromLiteral, satisfiesAllowed, toSemver } from './range.js';
export { compileLinear, LINEAR_ENGINE_NOTE, PatternError, unsupportedConstruct, type LinearRegex } from './pattern.js';
export { compileVersioning, heldVerdict, pickTarget } from './pick.js';
export { nodeRange, rangeAllows, rangeFloor, replaceRange } from './range-rewrite.js';
export type { CandidateVerdict, PickPolicy, PickResult, PickedTarget, RejectKind } from './pick.js';
