import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Live (not zombie) processes that hold `uid` as their real, effective, saved or filesystem uid. */
export async function processesOfUid(uid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let status: string;
    try {
      status = await readFile(`/proc/${name}/status`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    if (/^State:\s+Z/m.test(status)) continue;
    const uids = /^Uid:\s+(.+)$/m.exec(status)?.[1].trim().split(/\s+/).map(Number) ?? [];
    if (uids.includes(uid)) pids.push(Number(name));
  }
  return pids;
}

/**
 * SIGKILLs every process of `uid` (the service is root), without pkill, which may not be
 * installed. A process can fork between the scan and the kill, so scans repeat until one finds
 * nobody that was not already killed: a process with SIGKILL pending runs no more code, so once a
 * scan finds only those, nothing of the uid can start anything any more.
 */
export async function killProcessesOfUid(uid: number): Promise<number[]> {
  const killed = new Set<number>();
  for (;;) {
    const found = await processesOfUid(uid);
    const fresh = found.filter((pid) => !killed.has(pid));
    for (const pid of found) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
      killed.add(pid);
    }
    if (!fresh.length) return [...killed];
    // Let the processes that were just killed become zombies before the next scan.
    await sleep(5);
  }
}
