/**
 * A fix job's workspace is the temp dir RepoCheckout makes, named `epitrace-<label>-XXXXXX`; the
 * job's Cline run makes its own directory inside it. The label starts with `fix-` (the
 * analysis-agent's checkouts are `analysis-`) and carries the start of the job's id, so a directory
 * on disk can be traced back to its job, and a sweep can tell the workspaces of running jobs apart.
 */
export const FIX_WORKSPACE_PREFIX = 'epitrace-fix-';

export function fixWorkspaceLabel(jobId: string): string {
  return `fix-${jobId.slice(0, 8)}`;
}

/** Also true for another job whose id starts alike: such a directory is kept too, which is the safe side. */
export function isWorkspaceOfJob(directoryName: string, jobId: string): boolean {
  return directoryName.startsWith(`epitrace-${fixWorkspaceLabel(jobId)}-`);
}
