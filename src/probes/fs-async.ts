/**
 * The promise-based fs calls of a healthy run, made on fs's callback API. `fs.promises` is built
 * on first use, and with it the modules it loads (readline's interface, fs watchers, a string
 * decoder): ~1.2 ms of a ~95 ms run with nothing running on the 2-core machine
 * (`process.moduleLoadList`). The calls and their errors are the same; `open` gives the part of
 * a FileHandle the probes use. Code off that path (bundle, fleet, output files) keeps fs.promises.
 */
import {
  close as closeFd,
  fstat as fstatFd,
  lstat as lstatPath,
  open as openPath,
  read as readFd,
  readdir as readdirPath,
  readFile as readFilePath,
  readlink as readlinkPath,
  realpath as realpathPath,
  stat as statPath,
  statfs as statfsPath,
  type StatsFs,
  type Stats,
} from 'node:fs'

/** Settles a promise from a node-style callback. */
function settle<T>(call: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))))
}

export const stat = (path: string): Promise<Stats> => settle((done) => statPath(path, done))
export const lstat = (path: string): Promise<Stats> => settle((done) => lstatPath(path, done))
export const readdir = (path: string): Promise<string[]> => settle((done) => readdirPath(path, done))
export const readlink = (path: string): Promise<string> => settle((done) => readlinkPath(path, done))
export const realpath = (path: string): Promise<string> => settle((done) => realpathPath(path, done))
export const statfs = (path: string): Promise<StatsFs> => settle((done) => statfsPath(path, done))

export function readFile(path: string): Promise<Buffer>
export function readFile(path: string, encoding: 'utf8'): Promise<string>
export function readFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  return encoding ? settle<string>((done) => readFilePath(path, encoding, done)) : settle<Buffer>((done) => readFilePath(path, done))
}

/** An open file: what the probes ask of a FileHandle. Close it in a `finally`. */
export interface OpenFile {
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{bytesRead: number}>
  stat(): Promise<Stats>
  close(): Promise<void>
}

export async function open(path: string, flags: number): Promise<OpenFile> {
  const fd = await settle<number>((done) => openPath(path, flags, done))
  return {
    read: (buffer, offset, length, position) =>
      settle<number>((done) => readFd(fd, buffer, offset, length, position, done)).then((bytesRead) => ({bytesRead})),
    stat: () => settle((done) => fstatFd(fd, done)),
    close: () => settle<void>((done) => closeFd(fd, (error) => done(error, undefined))),
  }
}
