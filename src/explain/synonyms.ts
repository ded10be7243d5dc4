/**
 * The words users write for the same thing, as data: each group's members (single words or
 * phrases) all count as its first word, in the user's text and in the catalogue alike, so a
 * symptom found "after a rebase" is found as well "after git pull" or "after I switched branches".
 * Members are matched as whole words, case-insensitively, phrases before single words.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  // Whatever changed the checked-out source under a running dev server (executor-facts §7.2).
  [
    'rebase',
    'rebased',
    'rebasing',
    'git pull',
    'pulled',
    'pulling',
    'git fetch and merge',
    'merged main',
    'merged master',
    'merging main',
    'switched branches',
    'switched branch',
    'switching branches',
    'switched to another branch',
    'changed branches',
    'changed branch',
    'branch switch',
    'git checkout',
    'checked out',
    'git switch',
    'git reset',
    'git merge',
    'cherry-picked',
    'cherry-pick',
  ],
  ['login', 'signin', 'sign in', 'signing in', 'logging in', 'logon', 'relogin', 're-login'],
  ['password', 'passwd', 'pw', 'passphrase'],
  ['credential', 'creds'],
  ['authentication', 'auth', 'authenticate'],
  ['process', 'proc'],
  ['directory', 'dir', 'folder'],
  ['cannot', 'cant', 'unable to', 'can not'],
  ['not', 'wont', 'doesnt', 'isnt', 'didnt'],
  ['stale', 'old', 'outdated', 'out of date', 'obsolete'],
  ['hang', 'hung', 'hangs', 'stuck', 'freeze', 'frozen', 'hanging', 'freezes'],
  ['use', 'busy', 'taken', 'occupied'],
  ['crash', 'died', 'dies', 'crashed', 'crashes', 'segfault'],
  ['kill', 'killed'],
  ['reachable', 'unreachable', 'reach'],
  ['answer', 'respond', 'responding', 'response', 'answers', 'replies', 'reply'],
  ['restart', 'reboot', 'rebooted', 'restarted', 'restarting'],
]

export interface SynonymTable {
  /** Single words → the group's word. */
  words: ReadonlyMap<string, string>
  /** Phrases (two or more words) by their first word → the group's word, longest first. */
  phrases: ReadonlyMap<string, ReadonlyArray<{words: string[]; canonical: string}>>
}

export function synonymTable(groups: readonly (readonly string[])[] = SYNONYM_GROUPS): SynonymTable {
  const words = new Map<string, string>()
  const phrases: Array<{words: string[]; canonical: string}> = []
  for (const group of groups) {
    const canonical = group[0]!
    for (const member of group) {
      const parts = member
        .toLowerCase()
        .split(/[\s-]+/)
        .filter(Boolean)
      if (parts.length === 1) words.set(parts[0]!, canonical)
      else phrases.push({words: parts, canonical})
    }
    // A hyphenated member is also written as one word ("cherry-pick", "cherrypick").
    for (const member of group) if (member.includes('-')) words.set(member.toLowerCase().replace(/-/g, ''), canonical)
  }
  phrases.sort((a, b) => b.words.length - a.words.length)
  const byFirst = new Map<string, Array<{words: string[]; canonical: string}>>()
  for (const p of phrases) byFirst.set(p.words[0]!, [...(byFirst.get(p.words[0]!) ?? []), p])
  return {words, phrases: byFirst}
}
