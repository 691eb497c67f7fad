/**
 * Reads a required environment variable once, at init.
 * @throws Error naming the variable, so a misconfigured function fails loudly on its first invocation
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
