/**
 * doctorkit's public API: the one supported way in for a host that ships `<product> doctor`
 * (docs/api.md). The `doctor` CLI is built on these same calls. test/api/surface.test.ts pins
 * what is exported here: adding or removing a name is a deliberate change, with docs/api.md.
 */
export {runDoctor, type DoctorOptions} from './api/run.js'
export {runPreflight} from './api/preflight.js'
export {renderReport, exitCodeFor, REPORT_FORMATS, type ReportFormat, type RenderReportOptions} from './api/render.js'
export {explain, renderExplanation, type ExplainOptions, type RenderExplanationOptions} from './api/explain.js'
export {
  createBundle,
  verifyBundle,
  BundleError,
  type BundleResult,
  type CreateBundleOptions,
  type VerifyBundleOptions,
  type VerifyBundleResult,
} from './api/bundle.js'
export {planFix, applyFix, undo, listFixRuns, type ApplyFixOptions, type FixPlan, type UndoOptions} from './api/fix.js'
export {
  defineTarget,
  builtinTargets,
  listChecks,
  checkPage,
  renderCheckList,
  type CheckListing,
  type DoctorTarget,
  type TargetDeclaration,
} from './api/targets.js'
export {CONFIG_OBJECT_NAME, type ConfigObject, type ConfigSource} from './api/config.js'
export {defineCheck, skip, Undetermined, type CheckDeclaration, type CheckDefinition, type Skip, type Verdict} from './check.js'
export type {CheckContext} from './context.js'
export type {DetectedTarget} from './targets/types.js'
export {UsageError} from './engine/doctor.js'
export {ConfigError} from './config/schema.js'
export {UndoError, type UndoOutcome, type UndoStepResult, type RunSummary} from './fix/undo.js'
export type {FixReport, FixStep, PlannedStep, StepResult, RecheckResult} from './fix/types.js'
export type {ExplainMatch, ExplainResult} from './explain/explain.js'
export type {VerifyHit} from './bundle/verify.js'
export type {BundleEntry} from './bundle/types.js'
export type {
  DataDirSpec,
  DeclaredSymptom,
  DetectHints,
  HealthProbe,
  HttpHealth,
  PidFileSpec,
  ProcessIdentity,
  SecretFileSpec,
  TargetProfile,
  TcpHealth,
} from './targets/profile.js'
export type {
  CheckResult,
  ConfigReport,
  Evidence,
  Finding,
  FixAdvice,
  JsonValue,
  Report,
  Status,
  Summary,
  SuppressionMark,
  SuppressionReport,
  TargetId,
  TargetReport,
} from './types.js'
