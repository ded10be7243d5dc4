/**
 * What a report returned by `runDoctor` carries beside its data, out of sight of JSON: the report
 * as the engine made it (for `planFix`: plans name real paths), the run's output-safety step (for
 * `renderReport`: the same redaction `doctor` applies) and the resolved run (for the re-check
 * after `applyFix`). A report read back from JSON has none of it and gets the defaults.
 */
import type {Report} from '../types.js'
import type {OutputSafety} from '../report/safety.js'
import type {ResolvedRun} from './run.js'

export interface ReportMeta {
  safety: OutputSafety
  run: ResolvedRun
  budgetMs: number
}

const metas = new WeakMap<Report, ReportMeta & {raw: Report}>()

/** The safe copy of `raw` a host is given, remembered with what the other calls need. */
export function remember(raw: Report, meta: ReportMeta): Report {
  const safe = meta.safety.value(raw)
  metas.set(safe, {...meta, raw})
  return safe
}

export function metaOf(report: Report): (ReportMeta & {raw: Report}) | undefined {
  return metas.get(report)
}
