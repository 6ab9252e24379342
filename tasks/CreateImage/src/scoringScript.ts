// Checks that the scoring script honours the AML scoring contract before anything is built:
// top-level `init()` and `run(data)`. Parsed with python3's `ast` when python3 is on the agent
// (exact, and reports syntax errors), else with a line-based regex.
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { InputError, quote } from '../../shared/src/inputs';

export interface ScriptCheck {
  method: 'ast' | 'regex';
}

interface FunctionInfo {
  /** positional parameters (-1: unknown, e.g. `run = wrap(f)`) */
  args: number;
  /** positional parameters without a default */
  required: number;
  vararg: boolean;
}

const AST_PROBE = `
import ast, json, sys
src = open(sys.argv[1], 'rb').read()
try:
    tree = ast.parse(src, filename='score.py')
except SyntaxError as e:
    print(json.dumps({"syntaxError": "line %s: %s" % (e.lineno, e.msg)}))
    sys.exit(0)
funcs = {}
for node in tree.body:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        a = node.args
        n = len(a.posonlyargs) + len(a.args)
        funcs[node.name] = {"args": n, "required": n - len(a.defaults), "vararg": a.vararg is not None}
    elif isinstance(node, ast.Assign):
        for t in node.targets:
            if isinstance(t, ast.Name):
                funcs.setdefault(t.id, {"args": -1, "required": 0, "vararg": True})
print(json.dumps({"functions": funcs}))
`;

type Probed = { functions?: Record<string, FunctionInfo>; syntaxError?: string } | undefined;

function probeOutput(stdout: string): Probed {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Probed;
  } catch {
    return undefined;
  }
}

/** Runs the ast probe; undefined when python3 cannot be started. */
function astFunctions(file: string, python: string): Probed {
  const r = spawnSync(python, ['-c', AST_PROBE, file], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return probeOutput(r.stdout);
}

/** The same probe without blocking: python3 starts in about the time of a bare Node (README.md, 'Cold start'). */
function astFunctionsLater(file: string, python: string): Promise<Probed> {
  return new Promise((resolve) => {
    execFile(python, ['-c', AST_PROBE, file], { encoding: 'utf8', timeout: 30_000 }, (error, stdout) => resolve(error ? undefined : probeOutput(stdout)));
  });
}

function regexFunctions(source: string): Record<string, FunctionInfo> {
  const out: Record<string, FunctionInfo> = {};
  const re = /^(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)/gm;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const params = m[2].split(',').map((p) => p.trim()).filter((p) => p.length > 0);
    const positional = params.filter((p) => !p.startsWith('*') && p !== '/');
    out[m[1]] ??= { args: positional.length, required: positional.filter((p) => !p.includes('=')).length, vararg: params.some((p) => p.startsWith('*') && !p.startsWith('**') && p !== '*') };
  }
  return out;
}

function readScript(input: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError(input, `${quote(file)} cannot be read`, 'a readable score.py');
  }
}

/** Throws InputError naming `input` when the script is not a usable score.py. */
export function checkScoringScript(input: string, file: string, o: { python?: string } = {}): ScriptCheck {
  const source = readScript(input, file);
  return judge(input, file, source, astFunctions(file, o.python ?? 'python3'));
}

/**
 * checkScoringScript with python3 in the background: an unreadable file throws at once; the promise rejects with
 * the same InputError once python3 has answered. It is marked handled here, so nobody can leave it unawaited and
 * crash the task: its caller awaits it before any write and before reporting any other failure.
 */
export function startScoringScriptCheck(input: string, file: string, o: { python?: string } = {}): Promise<ScriptCheck> {
  const source = readScript(input, file);
  const verdict = astFunctionsLater(file, o.python ?? 'python3').then((probed) => judge(input, file, source, probed));
  verdict.catch(() => undefined);
  return verdict;
}

function judge(input: string, file: string, source: string, probed: Probed): ScriptCheck {
  if (probed?.syntaxError) throw new InputError(input, `${quote(file)} is not valid Python (${probed.syntaxError})`, 'a score.py that Python can parse');
  const method = probed?.functions ? 'ast' : 'regex';
  const funcs = probed?.functions ?? regexFunctions(source);
  const missing = ['init', 'run'].filter((f) => !funcs[f]);
  if (missing.length > 0) {
    throw new InputError(
      input,
      `${quote(file)} has no top-level ${missing.map((f) => `${f}()`).join(' or ')}`,
      'a score.py with top-level def init() (called once at start) and def run(raw_data) (called per request)',
    );
  }
  const run = funcs.run;
  if (run.args === 0 && !run.vararg) {
    throw new InputError(input, `${quote(file)} defines run() without a parameter`, 'def run(raw_data): it receives the request body');
  }
  if (funcs.init.required > 0) {
    throw new InputError(input, `${quote(file)} defines init() with required parameters`, 'def init(): it is called once without arguments');
  }
  return { method };
}
