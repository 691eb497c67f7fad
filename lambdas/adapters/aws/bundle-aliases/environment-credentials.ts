/**
 * What every function's bundle gets for `@aws-sdk/credential-provider-node` (see
 * `lib/lambda-bundle-aliases.ts`): the AWS SDK clients' default credential provider, reduced to the
 * one source Lambda uses. Lambda hands a function its execution role's credentials in the environment
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and the default chain's first
 * link reads them there. Its other links (SSO, shared INI files, credential processes, web identity
 * token files, container and instance metadata) and the STS and SSO clients they load are ~165 KB a
 * bundle that V8 would compile in every new container without ever running them (`npm run
 * bench:coldstart`).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The credential provider an AWS SDK client made without `credentials` uses: the environment's.
 * Without credentials there, the first call fails with the SDK's `CredentialsProviderError`.
 * @example
 * const credentials = await defaultProvider()(); // { accessKeyId, secretAccessKey, sessionToken }
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
