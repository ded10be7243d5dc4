/**
 * The redaction pipeline, in the order the issue fixes: (1) known values, whole then in pieces
 * (split across a line break, cut at a line end), (2) patterns,
 * (3) pseudonyms. The same object redacts a bundle and scans one (`verify`): a clean bundle is
 * exactly a text this pipeline leaves unchanged, so what `doctor bundle` writes, `verify` passes.
 */
import {knownLiterals, splitForms, type KnownSecret} from './known.js'
import {replaceLiterals, type Literal} from './literals.js'
import {applyPatterns} from './patterns.js'
import {PLACEHOLDER} from './placeholder.js'
import {HostFields, HostIds, PSEUDONYM, pseudonymLiterals, type Identity} from './pseudonyms.js'
import {replaceSplit, type SplitForm} from './split.js'

export interface RedactionHit {
  rule: string
  /** 1-based line of the hit in the original text (replacements keep line breaks). */
  line: number
  /** For known values: the secret's label. */
  label?: string
}

export interface RedactionResult {
  text: string
  /** Redactions by rule id. */
  counts: Record<string, number>
  hits: RedactionHit[]
}

const ALREADY_REDACTED = new RegExp(`${PLACEHOLDER.source}|${PSEUDONYM.source}`)

export class Redactor {
  private readonly known: Literal[]
  private readonly pieces: SplitForm[]
  private readonly pseudonyms: Literal[]
  private readonly hostFields: HostFields | null

  constructor(
    readonly secrets: readonly KnownSecret[],
    readonly identity: Identity,
  ) {
    this.known = knownLiterals(secrets)
    this.pieces = splitForms(secrets)
    const hostIds = new HostIds(identity.hosts)
    this.pseudonyms = pseudonymLiterals(identity, hostIds)
    this.hostFields = identity.hostFields === false ? null : new HostFields(hostIds, identity.hosts)
  }

  redact(text: string): RedactionResult {
    const hits: RedactionHit[] = []
    const step1 = replaceLiterals(text, this.known, PLACEHOLDER)
    hits.push(...step1.hits)
    const split = replaceSplit(step1.text, this.pieces, PLACEHOLDER)
    hits.push(...split.hits)
    const step2 = applyPatterns(split.text, (rule, line) => hits.push({rule, line}))
    const step3 = replaceLiterals(step2, this.pseudonyms, ALREADY_REDACTED)
    hits.push(...step3.hits.map(({rule, line}) => ({rule, line})))
    const hosts = this.hostFields?.replace(step3.text) ?? {text: step3.text, hits: []}
    hits.push(...hosts.hits)
    // Pieces once more on the finished text: a redaction next to a piece (a pattern's, a
    // pseudonym's) can end the token it sits in, and a second pass must find nothing new.
    const last = replaceSplit(hosts.text, this.pieces, ALREADY_REDACTED)
    hits.push(...last.hits)
    const counts: Record<string, number> = {}
    for (const hit of hits) counts[hit.rule] = (counts[hit.rule] ?? 0) + 1
    return {text: last.text, counts, hits}
  }

  /** Only the text, for the command's own output and archive entry names. */
  clean(text: string): string {
    return this.redact(text).text
  }
}
