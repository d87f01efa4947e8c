import { z } from 'zod';
import { baseEnvSchema, envPort, loadConfig } from '@epitrace/config';

/** Every setting of the code-agent, validated at boot. Documented in .env.example. */
export const CodeAgentEnvSchema = baseEnvSchema.extend({
  CODE_AGENT_PORT: envPort(8083),
  CODE_AGENT_HOST: z.string().default('0.0.0.0'),
});

export type CodeAgentConfig = z.infer<typeof CodeAgentEnvSchema> & { APP_NAME: 'code-agent'; PORT: number; HOST: string };

export function loadCodeAgentConfig(env: NodeJS.ProcessEnv = process.env): CodeAgentConfig {
  const parsed = loadConfig('code-agent', CodeAgentEnvSchema, { env });
  return { ...parsed, APP_NAME: 'code-agent', PORT: parsed.CODE_AGENT_PORT, HOST: parsed.CODE_AGENT_HOST };
}
