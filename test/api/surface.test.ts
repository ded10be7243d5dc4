/**
 * The public API is pinned: the names src/index.ts exports and their kinds. Adding, removing or
 * changing one fails here until this list and docs/api.md say so too, so a change to what hosts
 * build on is deliberate. The emitted declarations are what a host compiles against: a host
 * written against them compiles under `tsc --strict`, and nothing they expose is typed `any`.
 */
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import ts from 'typescript'
import * as api from '../../src/index.js'
import {REPO} from '../helpers/processes.js'

const SURFACE: Record<string, string> = {
  runDoctor: 'function',
  DoctorOptions: 'interface',
  runPreflight: 'function',
  renderReport: 'function',
  exitCodeFor: 'function',
  REPORT_FORMATS: 'const',
  ReportFormat: 'type',
  RenderReportOptions: 'interface',
  explain: 'function',
  renderExplanation: 'function',
  ExplainOptions: 'interface',
  RenderExplanationOptions: 'interface',
  createBundle: 'function',
  verifyBundle: 'function',
  BundleError: 'class',
  BundleResult: 'interface',
  CreateBundleOptions: 'interface',
  VerifyBundleOptions: 'type',
  VerifyBundleResult: 'interface',
  planFix: 'function',
  applyFix: 'function',
  undo: 'function',
  listFixRuns: 'function',
  ApplyFixOptions: 'interface',
  FixPlan: 'interface',
  UndoOptions: 'interface',
  defineTarget: 'function',
  builtinTargets: 'function',
  listChecks: 'function',
  checkPage: 'function',
  renderCheckList: 'function',
  CheckListing: 'interface',
  DoctorTarget: 'interface',
  TargetDeclaration: 'type',
  CONFIG_OBJECT_NAME: 'const',
  ConfigObject: 'type',
  ConfigSource: 'type',
  defineCheck: 'function',
  skip: 'function',
  Undetermined: 'class',
  CheckDeclaration: 'type',
  CheckDefinition: 'interface',
  Skip: 'interface',
  Verdict: 'type',
  CheckContext: 'interface',
  DetectedTarget: 'interface',
  UsageError: 'class',
  ConfigError: 'class',
  UndoError: 'class',
  UndoOutcome: 'interface',
  UndoStepResult: 'interface',
  RunSummary: 'interface',
  FixReport: 'interface',
  FixStep: 'type',
  PlannedStep: 'interface',
  StepResult: 'interface',
  RecheckResult: 'interface',
  ExplainMatch: 'interface',
  ExplainResult: 'interface',
  VerifyHit: 'interface',
  BundleEntry: 'interface',
  DataDirSpec: 'interface',
  DeclaredSymptom: 'interface',
  DetectHints: 'interface',
  HealthProbe: 'type',
  HttpHealth: 'interface',
  PidFileSpec: 'interface',
  ProcessIdentity: 'interface',
  SecretFileSpec: 'interface',
  TargetProfile: 'interface',
  TcpHealth: 'interface',
  CheckResult: 'interface',
  ConfigReport: 'interface',
  Evidence: 'type',
  Finding: 'interface',
  FixAdvice: 'interface',
  JsonValue: 'type',
  Report: 'interface',
  Status: 'type',
  Summary: 'interface',
  SuppressionMark: 'interface',
  SuppressionReport: 'interface',
  TargetId: 'type',
  TargetReport: 'interface',
}

const options: ts.CompilerOptions = {
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  types: ['node'],
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags
  if (f & ts.SymbolFlags.Class) return 'class'
  if (f & ts.SymbolFlags.Function) return 'function'
  if (f & ts.SymbolFlags.Variable) return 'const'
  if (f & ts.SymbolFlags.Interface) return 'interface'
  if (f & ts.SymbolFlags.TypeAlias) return 'type'
  return `flags ${f}`
}

function exportsOf(entry: string): Record<string, string> {
  const program = ts.createProgram([entry], options)
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!
  return Object.fromEntries(
    checker.getExportsOfModule(module).map((s) => [s.name, kindOf(s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s)]),
  )
}

const DTS = join(REPO, 'dist/src/index.d.ts')

describe('public API surface', function () {
  this.timeout(60_000)

  it('exports exactly the pinned names, each of its pinned kind', () => {
    assert.deepEqual(exportsOf(join(REPO, 'src/index.ts')), SURFACE)
  })

  it('has every runtime export at run time, and nothing else', () => {
    const runtime = Object.entries(SURFACE)
      .filter(([, kind]) => kind === 'function' || kind === 'class' || kind === 'const')
      .map(([name]) => name)
      .sort()
    assert.deepEqual(Object.keys(api).sort(), runtime)
  })

  it('documents every exported name in docs/api.md', () => {
    const doc = readFileSync(join(REPO, 'docs/api.md'), 'utf8')
    const missing = Object.keys(SURFACE).filter((name) => !new RegExp(`\\b${name}\\b`).test(doc))
    assert.deepEqual(missing, [], 'docs/api.md does not mention these exports')
  })

  it('points package.json exports at the emitted entry and its declarations', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {exports: Record<string, {types: string; import: string}>}
    assert.deepEqual(pkg.exports['.'], {types: './dist/src/index.d.ts', import: './dist/index.js'})
    assert.ok(existsSync(DTS), 'dist/src/index.d.ts is missing: run `npm run build`')
  })

  it('emits declarations a host compiles against under tsc --strict, and none of them is typed any', () => {
    assert.ok(existsSync(DTS), 'dist/src/index.d.ts is missing: run `npm run build`')
    // The host fixture imports 'doctorkit', resolved through package.json `exports` to the .d.ts.
    const host = join(REPO, 'fixtures/host-cli/host.ts')
    const program = ts.createProgram([host], options)
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    assert.deepEqual(problems, [])
    const resolved = program.getSourceFiles().map((f) => f.fileName)
    assert.ok(resolved.includes(DTS), 'the host did not compile against dist/src/index.d.ts')
    const withAny = resolved
      .filter((f) => f.includes('/dist/'))
      .flatMap((f) => {
        const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
        return (code.match(/^.*\bany\b.*$/gm) ?? []).map((line) => `${f}: ${line.trim()}`)
      })
    assert.deepEqual(withAny, [])
  })

  it("compiles docs/api.md's examples against the emitted declarations, with no cast", () => {
    assert.ok(existsSync(DTS), 'dist/src/index.d.ts is missing: run `npm run build`')
    const doc = readFileSync(join(REPO, 'docs/api.md'), 'utf8')
    const blocks = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)
    assert.ok(blocks.length >= 2, 'docs/api.md has no ts examples')
    // Each example is a module beside the host fixture (in memory), so 'doctorkit' resolves to the package's .d.ts.
    const examples = new Map(blocks.map((code, i) => [join(REPO, `fixtures/host-cli/api-example-${i + 1}.ts`), code]))
    const host = ts.createCompilerHost(options)
    const base = {getSourceFile: host.getSourceFile, fileExists: host.fileExists, readFile: host.readFile}
    host.fileExists = (f) => examples.has(f) || base.fileExists(f)
    host.readFile = (f) => examples.get(f) ?? base.readFile(f)
    host.getSourceFile = (f, language, ...rest) => {
      const code = examples.get(f)
      return code === undefined ? base.getSourceFile(f, language, ...rest) : ts.createSourceFile(f, code, language, true)
    }
    const program = ts.createProgram([...examples.keys()], options, host)
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file ? d.file.fileName.split('/').pop() : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    assert.deepEqual(problems, [])
    assert.ok(
      program.getSourceFiles().some((f) => f.fileName === DTS),
      'the examples did not compile against dist/src/index.d.ts',
    )
    for (const [file, code] of examples) assert.doesNotMatch(code, /\bas (never|any|unknown)\b/, `${file} casts`)
  })

  it('embeds the current check pages and version (scripts/embed.mjs --check)', () => {
    execFileSync(process.execPath, [join(REPO, 'scripts/embed.mjs'), '--check'], {stdio: 'pipe'})
  })
})
