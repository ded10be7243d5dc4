// `performance` for the fast-path bundle (scripts/bundle.mjs injects it): the global one loads
// node's perf_hooks on first use (~1 ms of a healthy run on the 2-core machine), and the bundled
// code only subtracts performance.now() values (the build checks that it calls nothing else).
const origin = process.hrtime.bigint()
export const performance = {now: () => Number(process.hrtime.bigint() - origin) / 1e6}
