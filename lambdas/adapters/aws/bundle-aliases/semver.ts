/**
 * What every function's bundle gets for `semver` (see `lib/lambda-bundle-aliases.ts`): the X-Ray SDK
 * loads it for one check in `captureAWS`, its patcher of AWS SDK v2 (it compares the v2 SDK's
 * version). stepup uses SDK v3, traced by `captureAWSv3Client`, so the check never runs; the real
 * package is ~29 KB and ~80 RegExps built at load in every new container.
 */
import { unavailable } from '../../bundle-stubs/unavailable';

export const gte = unavailable(
  'semver',
  'gte',
  'lib/lambda-bundle-aliases.ts',
  "only the X-Ray SDK's AWS SDK v2 patcher calls it, and stepup uses SDK v3",
);
