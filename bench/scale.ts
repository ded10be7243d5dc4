/**
 * Scale cases: the same work at growing input sizes, so the slope shows how the cost grows.
 * Each case builds its input for real (listening sockets, processes, files) and tears it down.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {ProcessProbe} from '../src/probes/processes.js'
import {SocketProbe} from '../src/probes/sockets.js'

const REPO = fileURLToPath(new URL('..', import.meta.url))

export interface ScaleCase {
  label: string
  unit: string
  sizes: number[]
  runs?: number
  prepare(size: number): Promise<() => Promise<unknown>>
  teardown?(): Promise<void>
}

function waitForLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString()
      const nl = buf.indexOf('\n')
      if (nl >= 0) resolve(buf.slice(0, nl))
    })
    child.once('exit', (code) => reject(new Error(`helper exited with ${code}`)))
  })
}

function kill(child: ChildProcess | undefined, group = false): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    try {
      if (group) process.kill(-child.pid!, 'SIGKILL')
      else child.kill('SIGKILL')
    } catch {
      resolve()
    }
  })
}

/** 0…1,000 extra listening sockets on loopback: one socket table read plus owner resolution. */
function socketCase(quick: boolean): ScaleCase {
  let holder: ChildProcess | undefined
  return {
    label: 'socket snapshot (listeners + owners)',
    unit: 'socket',
    sizes: quick ? [0, 500] : [0, 250, 500, 1000],
    async prepare(size) {
      await kill(holder)
      const code = `const net=require('net');let n=0;const N=${size};const s=[];if(!N){console.log('ready')}for(let i=0;i<N;i++){const x=net.createServer();s.push(x);x.listen(0,'127.0.0.1',()=>{if(++n===N)console.log('ready')})}setInterval(()=>{},1e6)`
      holder = spawn(process.execPath, ['-e', code], {stdio: ['ignore', 'pipe', 'inherit']})
      await waitForLine(holder)
      return async () => {
        const probe = new SocketProbe()
        const listeners = await probe.listeners()
        await Promise.all(listeners.map((l) => probe.owner(l)))
      }
    },
    teardown: () => kill(holder),
  }
}

/** 0…2,000 extra processes: one full process-table read. */
function processCase(quick: boolean): ScaleCase {
  let group: ChildProcess | undefined
  return {
    label: 'process snapshot (full table)',
    unit: 'process',
    sizes: quick ? [0, 1000] : [0, 500, 1000, 2000],
    async prepare(size) {
      await kill(group, true)
      group = spawn('bash', ['-c', `for i in $(seq 1 ${size}); do sleep 600 & done; echo ready; wait`], {
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      })
      await waitForLine(group)
      return () => new ProcessProbe().list()
    },
    teardown: () => kill(group, true),
  }
}

/** Cases contributed by later features register here when their modules exist in the build. */
async function optionalCases(quick: boolean): Promise<ScaleCase[]> {
  const extra = join(REPO, 'bench', 'scale-features.ts')
  if (!existsSync(extra)) return []
  const mod = (await import(pathToFileURL(extra).href)) as {featureCases(quick: boolean): Promise<ScaleCase[]>}
  return mod.featureCases(quick)
}

export function scaleCases(quick: boolean): ScaleCase[] {
  return [socketCase(quick), processCase(quick)]
}

export {optionalCases}
