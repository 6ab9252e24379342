// A scoring server in its own process for the L0 tests: MockTestRunner runs the task with spawnSync,
// which blocks the test process, so a server in the test process could not answer. Usage:
//   node scoringServerProcess.js [key]
// prints {"url": …} once listening; answers a "stats" line on stdin with one JSON line of counts;
// closes and exits when stdin ends (so it never outlives the test process).
import { startScoringServer } from './scoringServer';

void (async () => {
  const key = process.argv[2];
  const server = await startScoringServer(key ? { key } : {});
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line === 'stats') {
        const auth = server.authorizations;
        process.stdout.write(`${JSON.stringify({ posts: server.posts, livenessCalls: server.livenessCalls, unauthorized: server.unauthorized, withKey: key ? auth.filter((a) => a === `Bearer ${key}`).length : 0, requests: auth.length })}\n`);
      }
    }
  });
  process.stdin.on('end', () => {
    void server.close().then(() => process.exit(0));
  });
})();
