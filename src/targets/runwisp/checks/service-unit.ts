import {skip, Undetermined, type TargetCheck} from '../../../check.js'
import {finding} from '../../../catalogue.js'
import {unitValue, unitValues} from '../formats.js'
import {groupName, lookupUser, userName} from '../identity.js'
import {SYSTEM_DATA_DIR} from '../paths.js'
import {loadUnits} from '../state.js'
import type {Finding} from '../../../types.js'
import {withDocumentedPlans} from '../../../fix/documented.js'
import {noActingThroughLinks} from '../data-dir-links.js'

/**
 * A systemd unit running RunWisp whose `User=` does not own the data dir (runwisp-troubleshooting
 * "permission denied" on the data directory; runwisp-facts §8). A system unit without `User=` runs
 * as root, as `runwisp service install` writes it.
 */
export const runwispServiceUnit: TargetCheck = noActingThroughLinks(
  withDocumentedPlans({
    symptoms: ['runwisp/unit-user-mismatch', 'runwisp/unit-user-missing', 'runwisp/unit-data-dir-read-only'],
    async detect(ctx, _target) {
      const units = await loadUnits(ctx)
      if (units.length === 0) return skip('no systemd unit runs RunWisp here')
      const findings: Finding[] = []
      for (const unit of units) {
        const dataDir = unit.dataDir ?? (unit.scope === 'system' ? SYSTEM_DATA_DIR : null)
        if (!dataDir) continue
        const userText = unit.user ?? (unit.scope === 'system' ? 'root' : null)
        if (!userText) continue
        const account = await lookupUser(ctx, userText)
        const base = {unit: unit.path, unitName: unit.name, user: userText, dataDir}
        if (!account) {
          findings.push(finding('runwisp/unit-user-missing', {vars: base, evidence: {unit: unit.path, user: userText}}))
          continue
        }
        const protect = unitValue(unit.unit, 'Service', 'ProtectSystem')
        if (protect === 'strict') {
          const writable = unitValues(unit.unit, 'Service', 'ReadWritePaths')
            .flatMap((v) => v.split(/\s+/))
            .map((p) => p.replace(/^[-+]/, ''))
          if (!writable.some((p) => dataDir === p || dataDir.startsWith(`${p.replace(/\/$/, '')}/`))) {
            findings.push(
              finding('runwisp/unit-data-dir-read-only', {
                vars: {...base, protect},
                evidence: {unit: unit.path, protectSystem: protect, readWritePaths: writable, dataDir},
              }),
            )
          }
        }
        const st = await ctx.files.stat(dataDir)
        if (!st.ok) {
          if (st.code === 'ENOENT') continue
          throw new Undetermined(`cannot stat ${dataDir}, the data dir of ${unit.path} (${st.code})`, {unit: unit.path, dataDir})
        }
        if (st.stat.uid === account.uid) continue
        const group = unit.group ?? (await groupName(ctx, account.gid))
        findings.push(
          finding('runwisp/unit-user-mismatch', {
            vars: {...base, group, owner: await userName(ctx, st.stat.uid), how: unit.user ? ' (User=)' : ' (no User=, so root)'},
            evidence: {unit: unit.path, user: userText, uid: account.uid, dataDir, ownerUid: st.stat.uid, dropIns: unit.dropIns},
          }),
        )
      }
      return findings
    },
  }),
)
