import assert from 'node:assert/strict'
import {applySuppressions} from '../../src/config/apply.js'
import {parseExpiry} from '../../src/config/schema.js'
import {summarize} from '../../src/engine/doctor.js'
import {escapeXmlAttr, escapeXmlText, formatJunit} from '../../src/report/junit.js'
import {childElements, parseXml, textOf, type XmlElement} from './xml.js'
import {NASTY, sampleReport} from './sample-report.js'

/** What NASTY becomes in XML: the ANSI escape made visible, the lone surrogate replaced. */
const NASTY_IN_XML = NASTY.replace(/\u001b/g, '\\x1B').replace('\uD800', '\uFFFD')

const cases = (suite: XmlElement) => childElements(suite, 'testcase')
const caseNamed = (root: XmlElement, name: string) => {
  const found = childElements(root, 'testsuite')
    .flatMap(cases)
    .find((c) => c.attrs.name === name)
  assert.ok(found, `no testcase ${name}`)
  return found
}

describe('preflight: JUnit report', () => {
  it('has one testsuite per target and one testcase per result, with the counts CI views read', () => {
    const root = parseXml(formatJunit(sampleReport(), {name: 'doctor preflight', strict: false}))
    assert.equal(root.name, 'testsuites')
    assert.deepEqual(
      {...root.attrs, timestamp: undefined},
      {name: 'doctor preflight', tests: '5', failures: '1', errors: '1', skipped: '1', time: '4.100', timestamp: undefined},
    )
    const suites = childElements(root, 'testsuite')
    assert.deepEqual(
      suites.map((s) => s.attrs.name),
      ['executor'],
    )
    const suite = suites[0]!
    assert.deepEqual([suite.attrs.tests, suite.attrs.failures, suite.attrs.errors, suite.attrs.skipped], ['5', '1', '1', '1'])
    assert.deepEqual(
      cases(suite).map((c) => `${c.attrs.classname}/${c.attrs.name}`),
      ['executor/daemon-health', 'executor/port-squatter', 'executor/stale-manifest', 'executor/stale-lock', 'executor/clock-skew'],
    )
    assert.equal(caseNamed(root, 'stale-lock').attrs.time, '4.000')
    assert.equal(childElements(caseNamed(root, 'daemon-health')).length, 0, 'a pass has no child elements')
  })

  it('puts message, evidence and fix in the failure, escaped so the message survives a parser byte for byte', () => {
    const xml = formatJunit(sampleReport(), {name: 'doctor preflight', strict: false})
    const failure = childElements(caseNamed(parseXml(xml), 'port-squatter'), 'failure')
    assert.equal(failure.length, 1)
    assert.equal(failure[0]!.attrs.type, 'executor/port-squatter')
    assert.equal(failure[0]!.attrs.message, `Port 4788 is held by pid 4242 (node squat.js --label ${NASTY_IN_XML}), which is not Executor.`)
    const body = textOf(failure[0]!)
    assert.ok(body.includes(`node squat.js --label ${NASTY_IN_XML}`), body)
    assert.match(body, /evidence: port=4788 owner=/)
    assert.match(body, /fix: Stop the process holding the port/)
    assert.ok(body.includes("$ ss -ltnp 'sport = :4788'"), body)
    assert.ok(
      body.includes(
        'docs: doctor checks port-squatter (docs/checks/port-squatter.md); Executor docs › Troubleshooting › Daemon port conflicts (https://',
      ),
      body,
    )
    assert.ok(!/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml), 'no raw control character reaches the file')
  })

  it('reports a check that could not decide as an error, a skip with its reason, and flags slow checks', () => {
    const root = parseXml(formatJunit(sampleReport(), {name: 'doctor', strict: false}))
    const error = childElements(caseNamed(root, 'stale-lock'), 'error')[0]!
    assert.equal(error.attrs.message, `could not decide: cannot read /data/x.lock (EACCES) ${NASTY_IN_XML}`)
    assert.match(
      textOf(childElements(caseNamed(root, 'stale-lock'), 'system-out')[0]!),
      /slow: took 4000 ms, over half of its 5000 ms timeout/,
    )
    assert.equal(childElements(caseNamed(root, 'clock-skew'), 'skipped')[0]!.attrs.message, 'depends on daemon-health, which is fail')
  })

  it('lets a warning pass with the warning in system-out, and fail under --strict', () => {
    const lenient = caseNamed(parseXml(formatJunit(sampleReport(), {name: 'doctor', strict: false})), 'stale-manifest')
    assert.equal(childElements(lenient, 'failure').length, 0)
    assert.match(textOf(childElements(lenient, 'system-out')[0]!), /warning:\n⚠ .*daemon-localhost-4788\.json/)
    const strictRoot = parseXml(formatJunit(sampleReport(), {name: 'doctor', strict: true}))
    assert.equal(strictRoot.attrs.failures, '2')
    assert.equal(childElements(caseNamed(strictRoot, 'stale-manifest'), 'failure')[0]!.attrs.type, 'executor/stale-record')
  })

  it('shows a suppressed result as skipped with its reason, and an expired suppression as a failing testcase', () => {
    const report = sampleReport()
    const future = '2999-01-01'
    const {results, outcomes} = applySuppressions(
      report.checks,
      [
        {
          check: 'port-squatter',
          reason: 'CI runner keeps a proxy on 4788 & it is fine',
          expires: future,
          expiresAtMs: parseExpiry(future)!,
        },
        {symptom: 'executor/stale-record', reason: 'old debris', expires: '2000-01-01', expiresAtMs: parseExpiry('2000-01-01')!},
      ],
      Date.now(),
    )
    const shaped = {
      ...report,
      checks: results,
      summary: summarize(results),
      config: {path: '/repo/doctor.config.json', skip: [], suppressions: outcomes, watchPorts: []},
    }
    const root = parseXml(formatJunit(shaped, {name: 'doctor preflight', strict: false}))
    const squat = caseNamed(root, 'port-squatter')
    assert.equal(
      childElements(squat, 'skipped')[0]!.attrs.message,
      `suppressed until ${future}: CI runner keeps a proxy on 4788 & it is fine`,
    )
    assert.match(textOf(childElements(squat, 'system-out')[0]!), /suppressed \(it would be fail\)[\s\S]*Port 4788 is held by pid 4242/)
    const config = childElements(root, 'testsuite').find((s) => s.attrs.name === 'doctor.config.json')
    assert.ok(config, 'a suite for the config')
    const expired = cases(config)
    assert.equal(expired.length, 1)
    assert.equal(expired[0]!.attrs.name, 'suppression of executor/stale-record')
    assert.match(childElements(expired[0]!, 'failure')[0]!.attrs.message!, /expired on 2000-01-01/)
    assert.deepEqual([root.attrs.tests, root.attrs.failures, root.attrs.skipped], ['6', '1', '2'])
  })

  it('is valid with no results at all', () => {
    const root = parseXml(formatJunit(sampleReport({checks: [], summary: summarize([])}), {name: 'doctor', strict: false}))
    assert.equal(root.attrs.tests, '0')
    assert.equal(childElements(root).length, 0)
  })

  it('escapes text and attributes, including characters XML 1.0 cannot carry', () => {
    assert.equal(escapeXmlText('a<b>&c\r\n'), 'a&lt;b&gt;&amp;c&#13;\n')
    assert.equal(escapeXmlAttr(`"'<>&\t\n\r`), '&quot;&apos;&lt;&gt;&amp;&#9;&#10;&#13;')
    assert.equal(escapeXmlText('\u0000\u0007\u000b\u001f\uffff'), '\\x00\\x07\\x0B\\x1F\\xFFFF')
    assert.equal(escapeXmlText('ok \uD83D\uDE00 lone \uDC00'), 'ok \uD83D\uDE00 lone \uFFFD')
  })

  it('uses a parser strict enough to catch the mistakes it guards against', () => {
    assert.throws(() => parseXml('<a>x & y</a>'), /bare "&"/)
    assert.throws(() => parseXml('<a>\u001b</a>'), /U\+001B/)
    assert.throws(() => parseXml('<a b="1" b="2"/>'), /duplicate attribute/)
    assert.throws(() => parseXml('<a><b></a>'), /closes <b>/)
    assert.throws(() => parseXml('<a>&#1;</a>'), /forbids/)
    assert.throws(() => parseXml('<a b="<"/>'), /"<"/)
    assert.deepEqual(parseXml('<a b="x&#10;y&amp;"><c/>t</a>'), {
      name: 'a',
      attrs: {b: 'x\ny&'},
      children: [{name: 'c', attrs: {}, children: []}, 't'],
    })
  })
})
