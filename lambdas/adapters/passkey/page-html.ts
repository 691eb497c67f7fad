import {
  approverGroupsLabel,
  policyLabel,
  type ApprovalRequest,
} from '../../domain/requests/approval-request';
import { environmentMarker } from '../../domain/requests/environment-marker';
import { indentedParameters } from '../../domain/requests/parameters';
import type { PasskeyCredential, PasskeyLink } from '../../domain/passkey/passkey-link';
import type { CeremonyOptions } from '../../ports/passkey-ceremony';

/** Where the page's own script, the WebAuthn browser library and the stylesheet are served. */
export const ASSETS_PATH = '/approval-assets';

/**
 * The page may load only its own script and stylesheet and talk only to its own origin; it cannot be
 * framed, and the link's secret in its URL is never sent on as a referrer.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/** Text as HTML: every character that could start markup or end an attribute is escaped. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside `<script type="application/json">`: no `<` at all, so nothing can close the element. */
function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function layout(
  title: string,
  main: string,
  data?: {
    purpose: string;
    options: CeremonyOptions;
    proofs?: Readonly<Partial<Record<string, CeremonyOptions>>>;
  },
): string {
  const scripts = data
    ? `<script type="application/json" id="ceremony" data-purpose="${data.purpose}">${inertJson(data.options)}</script>
${data.proofs ? `<script type="application/json" id="proofs">${inertJson(data.proofs)}</script>` : ''}
<script src="${ASSETS_PATH}/webauthn-browser.js"></script>
<script src="${ASSETS_PATH}/approval.js"></script>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${ASSETS_PATH}/approval.css">
</head>
<body>
<main>
${main}
</main>
${scripts}
</body>
</html>
`;
}

function fact(label: string, value: string, extra = ''): string {
  return `<dt>${escapeHtml(label)}</dt><dd${extra}>${escapeHtml(value)}</dd>`;
}

/**
 * The approval page of a vote link: the request as stored (the header names action, resource and
 * environment; then the policy's words, the facts, the exact parameters in full), then what the agent
 * wrote, set apart and labelled, every character of it text; then one button for the link's decision.
 */
export function votePage(request: ApprovalRequest, link: PasskeyLink, options: CeremonyOptions): string {
  const approve = link.decision === 'approve';
  const marker = environmentMarker(request.resource);
  const human = request.onBehalfOf
    ? `${request.onBehalfOf} (${request.humanVerified ? 'verified with their own sign-in' : 'asserted by the agent, not verified'})`
    : '(nobody named)';
  const parameters = request.parameters ? indentedParameters(request.parameters) : undefined;
  const main = `
<header>
<p class="kind">stepup · ${approve ? 'approve' : 'deny'} with your passkey</p>
<h1>${marker ? `<span class="marker">${marker}</span> ` : ''}${escapeHtml(request.action)} on ${escapeHtml(request.resource)}</h1>
${request.requirements.description ? `<p class="policy-words">Policy: ${escapeHtml(request.requirements.description)}</p>` : ''}
</header>
<section aria-label="The request, as stepup stored it">
<dl>
${fact('Action', request.action)}
${fact('Resource', request.resource)}
${fact('Audience', request.audience)}
${fact('Agent', request.agent)}
${fact('On behalf of', human)}
${fact('Policy', policyLabel(request.requirements))}
${fact('Approvers', `${request.requirements.quorum} of ${approverGroupsLabel(request.requirements)}`)}
${fact('Binding code', request.bindingCode, ' class="code"')}
${fact('Request', request.id)}
</dl>
<p class="hint">The binding code: the agent shows its user the same code.</p>
${
  parameters
    ? `<h2>Parameters (the exact arguments; the token is valid only with these)</h2>
<pre class="parameters">${escapeHtml(parameters)}</pre>
<p class="hint">SHA-256 (RFC 8785): <code>${escapeHtml(request.parameters?.sha256 ?? '')}</code></p>`
    : ''
}
</section>
<section class="agent-text" aria-label="Written by the agent">
<h2>Written by the agent (unverified, not checked by stepup)</h2>
<pre>${escapeHtml(request.justification)}</pre>
</section>
<section class="decide">
${
  approve
    ? ''
    : `<label for="reason">Why do you deny it? (the agent is told)</label>
<textarea id="reason" maxlength="500" rows="3"></textarea>`
}
<button id="confirm" type="button" class="${approve ? 'approve' : 'deny'}">${approve ? 'Approve' : 'Deny'} with my passkey</button>
<p id="status" role="status"></p>
</section>`;
  return layout(`${approve ? 'Approve' : 'Deny'}: ${request.action} on ${request.resource}`, main, {
    purpose: 'vote',
    options,
  });
}

/**
 * The enrolment page: register a passkey for the Slack user the link was given to. An approver who
 * has passkeys sees them listed with a Remove button each, and every change (adding one, removing
 * one) asks for one of their existing passkeys first (`proofs`: the assertion options per change).
 */
export function enrolPage(
  link: PasskeyLink,
  enrolled: readonly PasskeyCredential[],
  options: CeremonyOptions,
  proofs: Readonly<Partial<Record<string, CeremonyOptions>>>,
): string {
  const rows = enrolled
    .map(
      (c) =>
        `<li><code>${escapeHtml(c.id.slice(0, 16))}…</code> registered ${escapeHtml(c.createdAt)}` +
        `${c.lastUsedAt ? `, last used ${escapeHtml(c.lastUsedAt)}` : ''} ` +
        `<button type="button" class="deny remove" data-credential="${escapeHtml(c.id)}">Remove</button></li>`,
    )
    .join('\n');
  const main = `
<header>
<p class="kind">stepup · your passkeys</p>
<h1>Passkeys of Slack user ${escapeHtml(link.user)}</h1>
</header>
<section>
<p>Requests that need a passkey ask you to confirm your vote with it. Your device asks for your
fingerprint, face or PIN; stepup stores only the public key.</p>
${
  enrolled.length === 0
    ? '<p>You have no passkey registered yet.</p>'
    : `<p>Your passkeys (to add or remove one, you first confirm with one of them):</p>
<ul class="passkeys">
${rows}
</ul>`
}
</section>
<section class="decide">
<button id="confirm" type="button" class="approve">${enrolled.length === 0 ? 'Register a passkey' : 'Add a passkey'}</button>
<p id="status" role="status"></p>
</section>`;
  return layout('Your passkeys', main, {
    purpose: 'enrol',
    options,
    ...(enrolled.length > 0 ? { proofs } : {}),
  });
}

/** Why a link cannot be used. */
export function unusablePage(message: string): string {
  return layout('Link not usable', `<h1>This link cannot be used</h1><p>${escapeHtml(message)}</p>`);
}
