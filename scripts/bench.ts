// `npm run bench`: each figure beside a baseline measured in the same run. Sections run one after the
// other (the machine has two cores); a section that fails prints its error and the others still run.
import * as path from 'node:path';
import { benchSizes } from './bench/sizes';
import { benchWaiting } from './bench/waiting';
import { benchLifecycle } from './bench/lifecycle';
import { benchUpload } from './bench/upload';
import { benchProbe } from './bench/probe';
import { benchAzCli } from './bench/azcli';
import { benchDrift } from './bench/drift';
import { benchScoring } from './bench/scoring';
import { benchOnline } from './bench/online';

const root = path.resolve(__dirname, '..', '..');

async function section(title: string, fn: () => Promise<string[]> | string[]): Promise<boolean> {
  console.log(`\n## ${title}`);
  const t = Date.now();
  try {
    for (const line of await fn()) console.log(line);
    console.log(`(${((Date.now() - t) / 1000).toFixed(1)} s)`);
    return true;
  } catch (err) {
    console.log(`FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return false;
  }
}

async function main(): Promise<number> {
  console.log(`# Benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  const ok = [
    await section('Size: bundles and .vsix vs unbundled node_modules', () => benchSizes(root)),
    await section('Waiting for a long AML job (TrainModel\'s poller on a fake clock) vs fixed-interval pollers', () => benchWaiting()),
    await section('Lifecycle against the emulator: cold start and requests per task', () => benchLifecycle(root)),
    await section('Code snapshot upload to Azurite vs direct @azure/storage-blob', () => benchUpload()),
    await section('ProbeEndpoint load engine vs autocannon (same local server)', async () => (await benchProbe()).lines),
    await section('MonitorModel drift: 1 million rows × 20 numeric features judged vs only read (same readers, same files)', () => benchDrift()),
    await section('Scoring server (CreateImage server.py) vs a bare Python http.server with TCP_NODELAY; workers on a CPU-bound model', () => benchScoring()),
    await section('DeployOnlineEndpoint: ARM reads while a deployment provisions, ARM requests per rollout step', () => benchOnline(root)),
    await section('azure-cli vs our tasks against the emulator: az container create + Key Vault secret read vs DeployToACI (wall time)', () => benchAzCli(root)),
  ];
  return ok.every(Boolean) ? 0 : 1;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
