/**
 * The planner's generic guard (issue 13 §1), for every target: whatever a check asked for, no step
 * acts through a symlink another user could have planted, and no step changes what another user
 * owns. A step that would becomes a manual step with the exact commands, on the paths as they
 * are, for the user to run once they have looked. Symlinks on the way that root or the doctor's
 * own user owns are the machine's layout (a symlinked home, macOS /var) and are resolved, once,
 * here; apply refuses any symlink that appears on the way after this point.
 */
import {lstatSync, realpathSync, type Stats} from 'node:fs'
import {basename, dirname, join, parse, sep} from 'node:path'
import {manualStep, shellQuote} from './steps.js'
import type {FixStep} from './types.js'

type PathStep = Extract<FixStep, {kind: 'quarantine' | 'chmod' | 'replace-symlink'}>

const me = () => process.geteuid?.() ?? process.getuid?.() ?? -1
const trustedOwner = (uid: number) => uid === 0 || uid === me()

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch {
    return null
  }
}

/** The first symlink among `path`'s directories (not the last component) owned by another user, with its owner. */
export function untrustedLinkOnTheWay(path: string): {link: string; uid: number} | null {
  const {root} = parse(path)
  let current = root
  for (const part of path.slice(root.length).split(sep).filter(Boolean).slice(0, -1)) {
    current = join(current, part)
    const st = lstatOrNull(current)
    if (!st) return null
    if (st.isSymbolicLink() && !trustedOwner(st.uid)) return {link: current, uid: st.uid}
  }
  return null
}

/** The path with its directories resolved (realpath of the parent; the last component is kept, so a link is never followed). */
function canonical(path: string): string {
  try {
    return join(realpathSync(dirname(path)), basename(path))
  } catch {
    return path
  }
}

/** `step` as it may be applied: on canonical paths, or as a manual step when acting would cross another user's link or change what they own. */
export function guardStep(step: FixStep): FixStep {
  if (step.kind !== 'quarantine' && step.kind !== 'chmod' && step.kind !== 'replace-symlink') return step
  const paths = step.kind === 'replace-symlink' ? [step.path, step.targetPath] : [step.path]
  for (const path of paths) {
    const planted = untrustedLinkOnTheWay(path)
    if (planted)
      return refused(
        step,
        `${planted.link}, on the way to ${path}, is a symlink owned by uid ${planted.uid}, another user who could point it anywhere; the doctor does not act through it.`,
      )
  }
  if (step.kind === 'replace-symlink') {
    // The link and the file it shares belong to someone else: the private copy would be the
    // doctor's user's, not theirs, and the link is theirs to replace.
    const link = lstatOrNull(step.path)
    const target = lstatOrNull(step.targetPath)
    const foreign = [
      link && link.uid !== me() ? `the link ${step.path} belongs to uid ${link.uid}` : null,
      target && target.uid !== me() ? `${step.targetPath} belongs to uid ${target.uid}` : null,
    ].filter(Boolean)
    if (foreign.length > 0)
      return refused(
        step,
        `${foreign.join(' and ')}, not to the user running the doctor (uid ${me()}); the doctor does not change what another user owns.`,
      )
    return {...step, path: canonical(step.path)}
  }
  return {...step, path: canonical(step.path)}
}

function refused(step: PathStep, why: string): FixStep {
  return manualStep({
    title: `Not done by the doctor: ${step.title.charAt(0).toLowerCase()}${step.title.slice(1)}`,
    why: `${step.why} ${why} Look at where it leads; if it is what you expect, run these yourself (as the owner).`,
    instructions: commandsFor(step),
  })
}

/** The shell commands that do what the step would have done, on the path as written. */
function commandsFor(step: PathStep): string[] {
  const q = shellQuote
  const mode = (m: number) => (m & 0o777).toString(8).padStart(4, '0')
  switch (step.kind) {
    case 'chmod':
      return [`ls -ld -- ${q(step.path)}`, `chmod ${mode(step.mode)} -- ${q(step.path)}`]
    case 'quarantine':
      return [`ls -ld -- ${q(step.path)}`, `mv -- ${q(step.path)} ${q(`${step.path}.bak`)}`]
    case 'replace-symlink':
      return [
        `ls -l -- ${q(step.path)} ${q(step.targetPath)}`,
        `cp --remove-destination -- ${q(step.targetPath)} ${q(step.path)}`,
        `chmod ${mode(step.mode)} -- ${q(step.path)}`,
      ]
  }
}
