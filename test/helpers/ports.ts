import {createServer} from 'node:net'

/** Whether `port` can be bound on 127.0.0.1 right now. */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({port, host, exclusive: true}, () => server.close(() => resolve(true)))
  })
}

/**
 * Waits (bounded) for a product's fixed port to be free. Other suites on this machine may hold it
 * briefly; a port still busy after the wait fails the test with a message that says so.
 */
export async function waitForFreePort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await portFree(port))) {
    if (Date.now() > deadline)
      throw new Error(`port ${port} stayed busy for ${timeoutMs} ms; this test needs it free (see: ss -ltnp 'sport = :${port}')`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** A port that was free a moment ago: the kernel's pick for a throwaway listener on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address ? address.port : 0
}
