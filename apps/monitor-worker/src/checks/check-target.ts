import type { HttpMethod, KeywordMode, StatusRange } from '@epitrace/entities';

/** What the checker needs to know about a monitor (loaded fresh for every batch of checks). */
export interface CheckTarget {
  id: string;
  url: string;
  method: HttpMethod;
  requestHeader: Record<string, string>;
  requestBody: unknown;
  /** Seconds: one deadline for connect, headers and body together. */
  timeout: number;
  expectedStatusRanges: StatusRange[];
  keyword: string | null;
  keywordMode: KeywordMode;
  maxResponseTimeMs: number | null;
  followRedirects: boolean;
}

export interface CheckOutcome {
  status: 'UP' | 'DOWN';
  statusCode: number | null;
  /** Null when no response arrived (connection error, deadline). */
  responseTimeMs: number | null;
  /** Why the check failed, at most 500 characters, secrets removed; null when UP. */
  errorMessage: string | null;
}
