/**
 * The report's way to stdout. Node's `process.stdout` is built on first use, and with it the whole
 * stream stack (~3.5 ms of a ~100 ms healthy run on the 2-core machine, measured with
 * `process.moduleLoadList`): a run that prints one report writes it to fd 1 directly instead, and
 * hands over to `process.stdout` only when fd 1 is not a plain blocking descriptor (EAGAIN from a
 * non-blocking pipe, EBADF when it is closed), where the stream's own handling is the right one.
 */
import {writeSync} from 'node:fs'

const CLOSED = 'doctor: the reader of stdout closed it before the end; what it got is incomplete\n'

// Linux only, where process.stdout itself writes synchronously to files, pipes and terminals: a
// write to fd 1 can then never overtake one a prompt or another view left queued in the stream.
let handedOver = process.platform !== 'linux'

/** Writes all of `text` to stdout, in order with everything written before it. */
export function writeStdout(text: string): void {
  if (!handedOver) {
    const bytes = Buffer.from(text)
    let offset = 0
    try {
      while (offset < bytes.length) offset += writeSync(1, bytes, offset)
      return
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EPIPE') brokenPipe()
      if (code !== 'EAGAIN' && code !== 'EBADF') cannotWrite(error as NodeJS.ErrnoException)
      handedOver = true
      guardStdout()
      process.stdout.write(bytes.subarray(offset))
      return
    }
  }
  process.stdout.write(text)
}

/**
 * A reader that closes the pipe early (`doctor --json | head -c 100`, `| true`) gets what it took;
 * the doctor says on stderr that the rest was not delivered and ends with 2, as it does for
 * `--output /dev/stdout` (src/output/destination.ts), never with a stack trace; so does a stdout
 * that cannot take the report (a full disk). bin/run.js sets this up for oclif's commands; the
 * fast path only when it hands stdout over.
 */
export function guardStdout(): void {
  if (guarded) return
  guarded = true
  process.stdout.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? brokenPipe() : cannotWrite(error)))
}
let guarded = false

function brokenPipe(): never {
  process.stderr.write(CLOSED)
  process.exit(2)
}

/** A full disk or a failing device behind stdout (`> /dev/full`): said in one line, exit 2, no stack trace. */
function cannotWrite(error: NodeJS.ErrnoException): never {
  process.stderr.write(`doctor: cannot write to stdout (${error.code ?? error.message}); the output is incomplete\n`)
  process.exit(2)
}
