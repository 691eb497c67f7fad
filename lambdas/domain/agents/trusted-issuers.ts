import * as z from 'zod/mini';
import {
  nonEmptyArray,
  nonEmptyString,
  oneOfForms,
  invariant,
  section,
  stringOrList,
  unknownKeysMessage,
  type ConfigField,
} from '../config/config-fields';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** What is wrong with an issuer or JWKS URL: https, or http on the loopback interface only. */
function urlProblem(value: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return 'must be an https:// URL';
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.includes(parsed.hostname))) {
    return undefined;
  }
  return 'must be an https:// URL (http:// only on 127.0.0.1 or localhost)';
}

/** https, or http on the loopback interface only (a local issuer for development and tests). */
const issuerUrl = () =>
  nonEmptyString().check(
    z.check<string>((payload) => {
      const message = urlProblem(payload.value);
      if (message) payload.issues.push({ code: 'custom', message, input: payload.value });
    }),
  );

/** One workload-identity issuer the API trusts, with the audiences its tokens must carry. */
const trustedIssuer = () =>
  section({
    /** Its `iss`, e.g. `https://token.actions.githubusercontent.com` or a SPIRE OIDC discovery provider. */
    issuer: issuerUrl(),
    /** Accepted `aud` values (any one); one string is a list of one. */
    audience: stringOrList(nonEmptyString()),
    /** Its JWKS, when it is not where OIDC discovery says (`<issuer>/.well-known/openid-configuration`). */
    jwksUri: z.optional(issuerUrl()),
  });

/** One workload-identity issuer the API trusts, with the audiences its tokens must carry. */
export type TrustedIssuer = Readonly<z.output<ReturnType<typeof trustedIssuer>>>;

/** The config's `auth`: the workload-identity issuers, each with its own audiences. */
export interface WorkloadAuth {
  readonly issuers: readonly TrustedIssuer[];
}

const ONE_ISSUER_KEYS: readonly string[] = ['issuer', 'audience', 'jwksUri'];

/** `{"issuers": [{issuer, audience, jwksUri?}, …]}`, each issuer named once. */
const severalIssuers = () =>
  section(
    {
      issuers: nonEmptyArray(trustedIssuer(), 'must be a non-empty array of {issuer, audience}').check(
        invariant((issuers: readonly TrustedIssuer[]) => {
          const names = issuers.map((i) => i.issuer);
          const twice = names.find((name, i) => names.indexOf(name) !== i);
          return twice === undefined ? undefined : { at: [], message: `names ${twice} twice` };
        }),
      ),
    },
    {
      unknownKeys: (unknown, known) =>
        unknown.every((key) => ONE_ISSUER_KEYS.includes(key))
          ? { message: 'has issuers beside issuer/audience: use issuers only' }
          : unknownKeysMessage(unknown, known),
    },
  );

/** The one-issuer form `{issuer, audience}` of configs written before several issuers were possible. */
const oneIssuer = () =>
  z.pipe(
    trustedIssuer(),
    z.transform((issuer): WorkloadAuth => ({ issuers: [issuer] })),
  );

/** The config's `auth`: the issuers form, or the one-issuer form when there is no `issuers` key. */
export function workloadAuthSchema(): ConfigField<WorkloadAuth> {
  const several = severalIssuers();
  const one = oneIssuer();
  return oneOfForms((raw) => (typeof raw === 'object' && raw !== null && 'issuers' in raw ? several : one));
}
