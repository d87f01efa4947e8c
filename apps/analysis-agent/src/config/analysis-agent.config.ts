import { z } from 'zod';
import { baseEnvSchema, envPort, loadConfig } from '@epitrace/config';

/** Every setting of the analysis-agent, validated at boot. Documented in .env.example. */
export const AnalysisAgentEnvSchema = baseEnvSchema.extend({
  ANALYSIS_AGENT_PORT: envPort(8082),
  ANALYSIS_AGENT_HOST: z.string().default('0.0.0.0'),
});

export type AnalysisAgentConfig = z.infer<typeof AnalysisAgentEnvSchema> & { APP_NAME: 'analysis-agent'; PORT: number; HOST: string };

export function loadAnalysisAgentConfig(env: NodeJS.ProcessEnv = process.env): AnalysisAgentConfig {
  const parsed = loadConfig('analysis-agent', AnalysisAgentEnvSchema, { env });
  return { ...parsed, APP_NAME: 'analysis-agent', PORT: parsed.ANALYSIS_AGENT_PORT, HOST: parsed.ANALYSIS_AGENT_HOST };
}
