/**
 * Third-party programs a test runs for real (promtool, ansible-playbook, node_exporter,
 * systemd-analyze). Where one is missing the test is skipped with the exact command that installs
 * it — .ci/run installs them all — and under CI it fails instead, so a CI machine without the
 * tool can never pass by skipping.
 */
import {spawnSync} from 'node:child_process'

export interface Tool {
  /** The program, looked up on PATH. */
  command: string
  /** What installs it (the Debian package .ci/run installs). */
  install: string
}

export const PROMTOOL: Tool = {command: 'promtool', install: 'apt-get install -y prometheus'}
export const NODE_EXPORTER: Tool = {command: 'prometheus-node-exporter', install: 'apt-get install -y prometheus-node-exporter'}
export const ANSIBLE_PLAYBOOK: Tool = {command: 'ansible-playbook', install: 'apt-get install -y ansible-core'}
export const SYSTEMD_ANALYZE: Tool = {command: 'systemd-analyze', install: 'apt-get install -y systemd'}

export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0'
}

export function hasTool(tool: Tool): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool.command], {stdio: 'ignore'}).status === 0
}

/**
 * Skips the running test, saying why and what to do; under CI throws instead. Call it first in
 * an `it` (it needs mocha's `this`).
 */
export function skipOrFail(test: Mocha.Context, reason: string): never {
  if (underCi()) throw new Error(`${reason} (CI must not skip this test)`)
  if (test.test) test.test.title += ` [skipped: ${reason}]`
  test.skip()
}

/** Skips (or under CI fails) unless every tool is on PATH. */
export function needTools(test: Mocha.Context, ...tools: Tool[]): void {
  const missing = tools.filter((t) => !hasTool(t))
  if (missing.length > 0)
    skipOrFail(
      test,
      `${missing.map((t) => t.command).join(', ')} not installed; install with: ${missing.map((t) => t.install).join(' && ')}`,
    )
}
