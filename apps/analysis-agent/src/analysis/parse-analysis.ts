import type { IncidentAnalysis } from '@epitrace/entities';

const FIELD_MAX = 4_000;
const LIST_MAX = 20;

function str(value: unknown): string {
  if (typeof value === 'string') return value.trim().slice(0, FIELD_MAX);
  if (value === undefined || value === null) return '';
  return JSON.stringify(value).slice(0, FIELD_MAX);
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(str).filter(Boolean).slice(0, LIST_MAX);
  const single = str(value);
  return single ? [single] : [];
}

/** JSON objects that might be the answer: fenced blocks first, then every balanced {...} in the text. */
function candidates(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) found.push(m[1].trim());
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    const end = matchingBrace(text, start);
    if (end !== -1) found.push(text.slice(start, end + 1));
  }
  return found;
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

const KNOWN_KEYS = ['summary', 'root_cause', 'rootCause', 'evidence', 'suspected_files', 'suspectedFiles', 'proposed_fix', 'proposedFix', 'confidence'];

/**
 * Reads the model's answer into the structured analysis. Models wrap JSON in prose or fences,
 * use camelCase, or leave fields out; whatever cannot be read as JSON is kept whole as `raw` with
 * a summary made from its first lines, so nothing the model said is lost.
 */
export function parseAnalysis(text: string): IncidentAnalysis {
  const trimmed = text.trim();
  for (const candidate of candidates(trimmed)) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const o = value as Record<string, unknown>;
    if (!KNOWN_KEYS.some((k) => k in o)) continue;
    const analysis: IncidentAnalysis = {
      summary: str(o['summary']),
      root_cause: str(o['root_cause'] ?? o['rootCause']),
      evidence: list(o['evidence']),
      suspected_files: list(o['suspected_files'] ?? o['suspectedFiles']),
      proposed_fix: str(o['proposed_fix'] ?? o['proposedFix']),
      confidence: normaliseConfidence(o['confidence']),
    };
    if (!analysis.summary) analysis.summary = analysis.root_cause.split('\n')[0] || 'See the analysis below.';
    return analysis;
  }
  const firstLines = trimmed.split('\n').filter((l) => l.trim()).slice(0, 3).join(' ');
  return {
    summary: (firstLines || 'The analysis returned no text.').slice(0, 500),
    root_cause: '',
    evidence: [],
    suspected_files: [],
    proposed_fix: '',
    confidence: 'unknown',
    raw: trimmed.slice(0, 20_000),
  };
}

function normaliseConfidence(value: unknown): string {
  const text = str(value).toLowerCase();
  if (['low', 'medium', 'high'].includes(text)) return text;
  if (typeof value === 'number') return value >= 0.75 ? 'high' : value >= 0.4 ? 'medium' : 'low';
  return text || 'unknown';
}
