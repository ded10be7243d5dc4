import {PACKAGE} from './generated/package-info.js'

/**
 * doctorkit's own version. Embedded as a module (scripts/embed.mjs) rather than read from
 * package.json at run time: inside a host's compiled binary there is no package.json to read.
 */
export function toolVersion(): string {
  return PACKAGE.version
}
