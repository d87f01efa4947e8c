import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxUidPool, processesOfUid } from '@epitrace/sandbox';
import { ClineRunner } from './cline-runner';
import type { ClineRunOptions } from './cline-run.types';

/** Ids no other spec file uses: the pool kills every process of its uids. */
const BASE = 61_210;
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A stand-in agent. `hold`: keeps a secret in its checkout, leaves a process in a session of its
 * own (which outlives the run's process group, like a daemon a test suite starts), notes its pid
 * and waits for the file `go`. `pry`: tries to read the holder's checkout, through its pid's cwd
 * and by its path, and to signal it.
 */
function agentScript(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cline-pool-agent-'));
  chmodSync(dir, 0o755);
  const script = join(dir, 'agent');
  writeFileSync(
    script,
    `#!/bin/sh
if [ "$AGENT_ROLE" = hold ]; then
  echo holder-secret > secret.txt
  setsid sleep 300 >/dev/null 2>&1 &
  echo $! > leftover
  echo $$ > pid
  while [ ! -e go ]; do sleep 0.05; done
  printf '{"type":"run_result","finishReason":"completed","text":"uid=%s"}\\n' "$(id -u)"
else
  proc=$(cat "/proc/$HOLDER_PID/cwd/secret.txt" 2>&1 | tr -d '\\n"')
  direct=$(cat "$HOLDER_DIR/secret.txt" 2>&1 | tr -d '\\n"')
  kill -0 "$HOLDER_PID" 2>/dev/null && signal=yes || signal=no
  printf '{"type":"run_result","finishReason":"completed","text":"uid=%s proc=%s direct=%s signal=%s"}\\n' "$(id -u)" "$proc" "$direct" "$signal"
fi
`,
    { mode: 0o755 },
  );
  return script;
}

async function fileContent(path: string): Promise<string> {
  for (let i = 0; i < 400 && !existsSync(path); i++) await sleep(25);
  return readFileSync(path, 'utf8').trim();
}

(process.getuid?.() === 0 ? describe : describe.skip)('ClineRunner runs of concurrent jobs, each with its own uid from a SandboxUidPool', () => {
  const dirs: string[] = [];
  const checkout = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cline-pool-job-'));
    dirs.push(dir);
    const workdir = join(dir, 'repo');
    execFileSync('git', ['init', '-q', workdir]);
    return workdir;
  };
  const options = (workdir: string, over: Partial<ClineRunOptions>): ClineRunOptions => ({
    mode: 'act',
    workdir,
    prompt: 'Fix it',
    timeoutMs: 20_000,
    provider: { provider: 'anthropic', model: 'claude-sonnet-4-5', apiKey: 'sk-ant-test-0123456789abcdefghij' },
    ...over,
  });

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one job from reading the other\'s lent checkout or signalling its agent, and kills what a job left before its uid is reused', async () => {
    const pool = new SandboxUidPool({ mode: 'user', uid: BASE, gid: BASE, count: 2 }, silent);
    await pool.onModuleInit();
    const runner = new ClineRunner({ binary: agentScript(), killGraceMs: 500, sandbox: { mode: 'user' } });

    const holderDir = checkout();
    const holderLease = await pool.acquire('job A');
    const holding = runner.run(options(holderDir, { sandboxUser: holderLease.user, env: { AGENT_ROLE: 'hold' } }));
    const holderPid = await fileContent(join(holderDir, 'pid'));
    const leftoverPid = Number(await fileContent(join(holderDir, 'leftover')));

    const pryerLease = await pool.acquire('job B');
    const pried = await runner.run(options(checkout(), { sandboxUser: pryerLease.user, env: { AGENT_ROLE: 'pry', HOLDER_PID: holderPid, HOLDER_DIR: holderDir } }));
    expect(pried.outcome).toBe('completed');
    expect(pried.text).toContain(`uid=${BASE + 1} `);
    expect(pried.text).toMatch(/proc=.*Permission denied/);
    expect(pried.text).toMatch(/direct=.*Permission denied/);
    expect(pried.text).toContain('signal=no');
    expect(pried.text).not.toContain('holder-secret');

    writeFileSync(join(holderDir, 'go'), '');
    expect((await holding).text).toBe(`uid=${BASE}`);
    // The run's process group is gone, but the process it put in a session of its own is not…
    expect(await processesOfUid(BASE)).toEqual([leftoverPid]);
    await holderLease.release();
    // …until the job's identity is released: the next job (B still holds the other) gets uid BASE and meets nothing of job A.
    const next = await pool.acquire('job C');
    expect(next.user).toEqual({ uid: BASE, gid: BASE });
    expect(await processesOfUid(BASE)).toEqual([]);
    await Promise.all([next.release(), pryerLease.release()]);
  });
});
