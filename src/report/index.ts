export { buildReport, packageName, reportCounts } from './model.js';
export { environmentOf } from './environment.js';
export { reportToJson } from './json.js';
export { reportToHtml } from './html.js';
export { reportRepoName, writeReport } from './write.js';
export type { FleetReport, RepoInput, ReportPackage, ReportRepository, ReportUse } from './types.js';
