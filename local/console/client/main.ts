/**
 * The approver console's page script. It renders what the Slack stand-in recorded (the very Block
 * Kit JSON stepup posted) and clicks through `POST /dev/slack/click`, which signs the interaction
 * exactly as Slack would and sends it to `/slack/events`. It polls once a second for changes.
 */
import { renderBlocks, textObject, type ButtonSpec, type ConfirmSpec } from './block-kit';
import { h, timeElement } from './dom';
import { plainText } from './mrkdwn';

type Json = Record<string, unknown>;

interface Message {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: Json[];
  /** How many versions the message had (posted, then each update). */
  readonly versions: number;
  /** Every version: only in a request's detail, never in the list. */
  readonly history?: { readonly text: string; readonly blocks: Json[] }[];
  readonly request_id?: string;
}

interface Dialog {
  readonly id: string;
  readonly view: Json;
  readonly request_id?: string;
}

interface State {
  /** Changes the stand-in has seen: asked again with it, an unchanged state is not re-sent. */
  readonly revision: number;
  readonly stand_in: boolean;
  readonly team: string;
  readonly approvers: { readonly id: string; readonly groups: string[] }[];
  readonly actions: { readonly approve: string; readonly deny: string };
  readonly deny_reason: { readonly min_length: number; readonly max_length: number };
  readonly messages: Message[];
  readonly dialogs: Dialog[];
  readonly ephemerals: { readonly channel: string; readonly user: string; readonly text: string }[];
}

interface AuditEvent {
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly detail?: Record<string, string | number | boolean>;
}

interface RequestDetail {
  readonly auth_req_id: string;
  readonly status: string;
  readonly agent: string;
  readonly action: string;
  readonly resource: string;
  readonly audience: string;
  readonly justification: string;
  readonly on_behalf_of?: string;
  /** The exact arguments the approval is bound to, in full (Slack shows them capped). */
  readonly parameters?: unknown;
  readonly parameters_sha256?: string;
  readonly binding_code: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly decided_at?: string;
  readonly denial_reason?: string;
  readonly policy_outcome: string;
  readonly requirements: {
    readonly approver_groups: string[][];
    readonly quorum: number;
    policies: string[];
    readonly description?: string;
  };
  readonly approvers: string[];
  readonly votes: {
    readonly user: string;
    readonly decision: string;
    readonly at: string;
    reason?: string;
  }[];
  readonly token_delivered: boolean;
  readonly token_used: boolean;
  readonly events: AuditEvent[];
}

interface Detail {
  readonly request: RequestDetail;
  readonly messages: Message[];
  readonly dialogs: Dialog[];
}

const POLL_MS = 1000;
const STORAGE_KEY = 'stepup.console.approver';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

const main = byId<HTMLElement>('main');
const approverSelect = byId<HTMLSelectElement>('approver');
const live = byId<HTMLElement>('live');
const flashLine = byId<HTMLElement>('flash');
const denyDialog = byId<HTMLDialogElement>('deny-dialog');
const denyForm = byId<HTMLFormElement>('deny-form');
const denySummary = byId<HTMLElement>('deny-summary');
const denyReason = byId<HTMLTextAreaElement>('deny-reason');
const denyCount = byId<HTMLElement>('deny-count');
const denyMax = byId<HTMLElement>('deny-max');
const denyError = byId<HTMLElement>('deny-error');
const confirmDialog = byId<HTMLDialogElement>('confirm-dialog');
const confirmForm = byId<HTMLFormElement>('confirm-form');

const detailMatch = /^\/console\/requests\/([^/]+)\/?$/.exec(location.pathname);
const detailId = detailMatch?.[1] ? decodeURIComponent(detailMatch[1]) : undefined;

let state: State | undefined;
let stateText = '';
let detail: Detail | 'missing' | undefined;
let detailText = '';
let viewer = '';
let denying: string | undefined;
const busy = new Set<string>();

// ---------------------------------------------------------------------------------------------
// Messages

const isStepUpButton = (element: unknown, actions: State['actions']) => {
  const id = (element as Json | null)?.action_id;
  return id === actions.approve || id === actions.deny;
};

/** Pending: the message still carries stepup's Approve/Deny buttons. */
function isPending(message: Message, actions: State['actions']): boolean {
  return message.blocks.some(
    (b) =>
      b.type === 'actions' &&
      Array.isArray(b.elements) &&
      b.elements.some((e: unknown) => isStepUpButton(e, actions)),
  );
}

function headerText(message: Message): string {
  const header = message.blocks.find((b) => b.type === 'header');
  const text = (header?.text as Json | undefined)?.text;
  return typeof text === 'string' ? plainText(text, false) : plainText(message.text, false);
}

function messageTime(ts: string): HTMLTimeElement {
  const date = new Date(Number(ts.split('.')[0]) * 1000);
  return h(
    'time',
    { class: 'msg-time', attrs: { datetime: date.toISOString(), title: `ts ${ts}` } },
    date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
  );
}

function wireButton(message: Message, spec: ButtonSpec, element: HTMLButtonElement): void {
  if (!state) return;
  const requestId = spec.value;
  element.dataset.requestId = requestId;
  element.disabled = busy.has(requestId);
  if (spec.actionId === state.actions.approve) {
    element.setAttribute('aria-label', `Approve request ${requestId}`);
    element.addEventListener('click', () => {
      if (spec.confirm) openConfirmDialog(requestId, spec.confirm);
      else void sendClick(requestId, 'approve');
    });
  } else if (spec.actionId === state.actions.deny) {
    element.setAttribute('aria-label', `Deny request ${requestId}`);
    element.addEventListener('click', () => openDenyDialog(requestId, headerText(message)));
  } else {
    element.disabled = true;
  }
}

/** One Slack message as a card, rendered from its current blocks. */
function messageCard(message: Message, interactive = true): HTMLElement {
  const id = message.request_id;
  const edited = message.versions > 1;
  const blocks = renderBlocks(message.blocks, {
    viewer,
    button: interactive ? (spec, element) => wireButton(message, spec, element) : undefined,
  });
  return h(
    'article',
    {
      class: 'msg',
      attrs: {
        'aria-label': id ? `Request ${id} in #${message.channel}` : `Message ${message.ts}`,
        'data-request-id': id,
        'data-ts': message.ts,
      },
    },
    h('div', { class: 'avatar', attrs: { 'aria-hidden': 'true' } }, 'S'),
    h(
      'div',
      { class: 'msg-body' },
      h(
        'div',
        { class: 'msg-meta' },
        h('span', { class: 'msg-author' }, 'stepup'),
        h('span', { class: 'app-badge' }, 'APP'),
        messageTime(message.ts),
        h('span', { class: 'msg-channel' }, `#${message.channel}`),
        edited ? h('span', { class: 'msg-edited' }, '(edited)') : undefined,
      ),
      blocks,
      id && interactive && !detailId
        ? h(
            'div',
            { class: 'msg-footer' },
            h(
              'a',
              {
                attrs: {
                  href: `/console/requests/${encodeURIComponent(id)}`,
                  'aria-label': `Details and audit trail of request ${id}`,
                },
              },
              'Details and audit trail \u2192',
            ),
          )
        : undefined,
    ),
  );
}

/** Cards keyed by message, re-rendered only when the message (or the viewer) changed. */
const cards = new Map<string, { signature: string; element: HTMLElement }>();

function card(message: Message): HTMLElement {
  const key = `${message.channel}/${message.ts}`;
  const signature = JSON.stringify([message.blocks, message.versions, viewer]);
  const known = cards.get(key);
  if (known?.signature === signature) return known.element;
  const element = messageCard(message);
  if (known) known.element.replaceWith(element);
  cards.set(key, { signature, element });
  return element;
}

/** Puts `children` into `parent` in order, moving only what is out of place (keeps focus). */
function reconcile(parent: Element, children: readonly HTMLElement[]): void {
  children.forEach((child, index) => {
    if (parent.children[index] !== child) parent.insertBefore(child, parent.children[index] ?? null);
  });
  while (parent.children.length > children.length) parent.lastElementChild?.remove();
}

// ---------------------------------------------------------------------------------------------
// Private notices, flash line, live indicator

function noticesPanel(): HTMLElement {
  const mine = (state?.ephemerals ?? []).filter((e) => e.user === viewer).reverse();
  return h(
    'aside',
    { class: 'side', attrs: { 'aria-labelledby': 'notices-heading' } },
    h('h2', { attrs: { id: 'notices-heading' } }, 'Private notices'),
    h('p', { class: 'hint' }, `Only visible to you (${viewer}), as Slack shows ephemeral messages.`),
    mine.length === 0
      ? h(
          'p',
          { class: 'empty' },
          'None yet. Slack sends one when a click is refused, e.g. by someone outside the approver group.',
        )
      : h(
          'ul',
          { class: 'notices', attrs: { 'aria-label': `Private notices for ${viewer}` } },
          ...mine.map((notice) =>
            h(
              'li',
              { class: 'notice' },
              h(
                'div',
                { class: 'notice-meta' },
                h('span', { class: 'notice-eye', attrs: { 'aria-hidden': 'true' } }),
                'Only visible to you',
                h('span', { class: 'msg-channel' }, `#${notice.channel}`),
              ),
              textObject({ type: 'mrkdwn', text: notice.text }, { viewer }),
            ),
          ),
        ),
  );
}

function flash(text: string, kind: 'ok' | 'warning' | 'error'): void {
  flashLine.textContent = text;
  flashLine.className = `flash flash-${kind}`;
  flashLine.hidden = false;
}

function setLive(ok: boolean): void {
  live.textContent = ok
    ? `live \u00b7 ${new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`
    : 'offline, retrying\u2026';
  live.className = ok ? 'live live-ok' : 'live live-down';
}

// ---------------------------------------------------------------------------------------------
// Clicking

function setBusy(requestId: string, on: boolean): void {
  if (on) busy.add(requestId);
  else busy.delete(requestId);
  document.querySelectorAll<HTMLButtonElement>('button[data-request-id]').forEach((button) => {
    if (button.dataset.requestId === requestId) button.disabled = on;
  });
}

/** Approve or Deny as the selected user: `/dev/slack/click` signs it and posts it to `/slack/events`. */
async function sendClick(requestId: string, decision: 'approve' | 'deny', reason?: string): Promise<void> {
  const user = viewer;
  setBusy(requestId, true);
  try {
    const response = await fetch('/dev/slack/click', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth_req_id: requestId, user, decision, ...(reason ? { reason } : {}) }),
    });
    const body = (await response.json()) as {
      slack_status?: number;
      notice?: string;
      error_description?: string;
    };
    const clicked = decision === 'approve' ? 'Approve' : 'Deny';
    if (!response.ok) flash(`The click was not sent: ${body.error_description ?? response.status}`, 'error');
    else if (body.notice) flash(`Slack told ${user} privately: ${body.notice}`, 'warning');
    else if (body.slack_status !== 200) flash(`/slack/events answered HTTP ${body.slack_status}`, 'error');
    else
      flash(`${user} clicked ${clicked} on ${requestId}: signed and sent to /slack/events (HTTP 200).`, 'ok');
  } catch (error) {
    flash(`The click failed: ${String(error)}`, 'error');
  } finally {
    setBusy(requestId, false);
    await refresh().catch(() => undefined);
  }
}

/** The request whose Approve waits for its confirm dialog, as Slack asks before it sends the click. */
let confirming: string | undefined;

function openConfirmDialog(requestId: string, confirm: ConfirmSpec): void {
  confirming = requestId;
  byId('confirm-title').textContent = confirm.title;
  byId('confirm-text').textContent = confirm.text;
  byId('confirm-ok').textContent = confirm.confirm;
  byId('confirm-deny').textContent = confirm.deny;
  confirmDialog.showModal();
}

byId<HTMLButtonElement>('confirm-deny').addEventListener('click', () => confirmDialog.close());
confirmDialog.addEventListener('close', () => (confirming = undefined));
confirmForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const requestId = confirming;
  confirmDialog.close();
  if (requestId) void sendClick(requestId, 'approve');
});

function openDenyDialog(requestId: string, summary: string): void {
  const limits = state?.deny_reason ?? { min_length: 3, max_length: 500 };
  denying = requestId;
  denySummary.textContent = `${summary} (request ${requestId}), as ${viewer}.`;
  denyReason.value = '';
  denyReason.minLength = limits.min_length;
  denyReason.maxLength = limits.max_length;
  denyMax.textContent = String(limits.max_length);
  denyCount.textContent = '0';
  denyError.hidden = true;
  denyDialog.showModal();
  denyReason.focus();
}

denyReason.addEventListener('input', () => {
  denyCount.textContent = String(denyReason.value.length);
  denyError.hidden = true;
});
byId<HTMLButtonElement>('deny-cancel').addEventListener('click', () => denyDialog.close());
denyDialog.addEventListener('close', () => (denying = undefined));
denyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const requestId = denying;
  if (!requestId) return denyDialog.close();
  const limits = state?.deny_reason ?? { min_length: 3, max_length: 500 };
  const reason = denyReason.value.trim();
  // Slack enforces the dialog's min_length/max_length before sending; so does this form.
  if (reason.length < limits.min_length || reason.length > limits.max_length) {
    denyError.textContent = `Give a reason of ${limits.min_length} to ${limits.max_length} characters.`;
    denyError.hidden = false;
    return;
  }
  denyDialog.close();
  void sendClick(requestId, 'deny', reason);
});

// ---------------------------------------------------------------------------------------------
// Pages

function section(id: string, title: string, ...children: (Node | undefined)[]): HTMLElement {
  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': id } },
    h('h2', { attrs: { id } }, title),
    ...children,
  );
}

const listShell = {
  pendingFeed: h('div', { class: 'feed', attrs: { id: 'pending' } }),
  closedFeed: h('div', { class: 'feed', attrs: { id: 'closed' } }),
  pendingTitle: h('span'),
  closedTitle: h('span'),
  pendingEmpty: h(
    'p',
    { class: 'empty' },
    'Nothing waiting. Create a request through the API (see the README).',
  ),
  closedEmpty: h('p', { class: 'empty' }, 'No decided requests yet.'),
  notices: h('div') as HTMLElement,
};

function renderList(current: State): void {
  const shell = listShell;
  if (!main.contains(shell.pendingFeed)) {
    main.replaceChildren(
      h(
        'div',
        { class: 'feed-column' },
        h(
          'section',
          { class: 'channel', attrs: { 'aria-labelledby': 'pending-heading' } },
          h('h2', { attrs: { id: 'pending-heading' } }, shell.pendingTitle),
          shell.pendingEmpty,
          shell.pendingFeed,
        ),
        h(
          'section',
          { class: 'channel', attrs: { 'aria-labelledby': 'closed-heading' } },
          h('h2', { attrs: { id: 'closed-heading' } }, shell.closedTitle),
          shell.closedEmpty,
          shell.closedFeed,
        ),
      ),
      shell.notices,
    );
  }
  const newestFirst = [...current.messages].reverse();
  const pending = newestFirst.filter((m) => isPending(m, current.actions));
  const closed = newestFirst.filter((m) => !isPending(m, current.actions));
  shell.pendingTitle.textContent = `Waiting for a decision (${pending.length})`;
  shell.closedTitle.textContent = `Decided, expired or cancelled (${closed.length})`;
  shell.pendingEmpty.hidden = pending.length > 0;
  shell.closedEmpty.hidden = closed.length > 0;
  reconcile(shell.pendingFeed, pending.map(card));
  reconcile(shell.closedFeed, closed.map(card));
  const notices = noticesPanel();
  shell.notices.replaceWith(notices);
  shell.notices = notices;
  document.title = `${pending.length > 0 ? `(${pending.length}) ` : ''}stepup \u00b7 approver console`;
}

const STATUS_CLASS: Record<string, string> = {
  pending: 'status-pending',
  approved: 'status-approved',
  denied: 'status-denied',
  expired: 'status-closed',
  cancelled: 'status-closed',
  failed: 'status-closed',
};

function fact(label: string, value: Node | string | undefined): Node[] {
  if (value === undefined || value === '') return [];
  return [h('dt', {}, label), h('dd', {}, value)];
}

function factsList(request: RequestDetail): HTMLElement {
  const groups = request.requirements.approver_groups.map((set) => set.join(' or ')).join(' and ');
  const votes = request.votes.map(
    (v) => `${v.user} ${v.decision === 'approve' ? 'approved' : 'denied'}${v.reason ? `: ${v.reason}` : ''}`,
  );
  return h(
    'dl',
    { class: 'facts' },
    ...fact('Agent', request.agent),
    ...fact('Action', request.action),
    ...fact('Resource', request.resource),
    ...fact('Audience', request.audience),
    ...fact('On behalf of', request.on_behalf_of ?? 'nobody'),
    // Text content only (h never parses HTML): the arguments stay inert, however they look.
    ...fact(
      'Parameters',
      request.parameters === undefined
        ? undefined
        : h('pre', { class: 'untrusted parameters' }, JSON.stringify(request.parameters, null, 2)),
    ),
    ...fact(
      'Parameters digest',
      request.parameters_sha256 ? h('code', {}, request.parameters_sha256) : undefined,
    ),
    ...fact('Policy says', request.requirements.description),
    ...fact(
      'Justification',
      h(
        'span',
        { class: 'untrusted' },
        request.justification,
        h('small', {}, ' (written by the agent, unverified)'),
      ),
    ),
    ...fact('Binding code', h('code', {}, request.binding_code)),
    ...fact('Policy', `${request.requirements.policies.join(', ')} (${request.policy_outcome})`),
    ...fact('Approvals needed', groups ? `${request.requirements.quorum} from ${groups}` : 'none'),
    ...fact('Votes', votes.length > 0 ? votes.join('; ') : 'none yet'),
    ...fact('Denial reason', request.denial_reason),
    ...fact('Created', timeElement(request.created_at, true)),
    ...fact('Decide by', timeElement(request.expires_at, true)),
    ...fact('Decided', request.decided_at ? timeElement(request.decided_at, true) : undefined),
    ...fact(
      'Token',
      request.token_used
        ? 'delivered and used'
        : request.token_delivered
          ? 'delivered, not used yet'
          : 'not delivered',
    ),
  );
}

function timeline(events: readonly AuditEvent[]): HTMLElement {
  return h(
    'ol',
    { class: 'timeline', attrs: { 'aria-label': 'Audit trail' } },
    ...events.map((event) =>
      h(
        'li',
        { class: `event event-${event.type}` },
        h('span', { class: 'event-dot', attrs: { 'aria-hidden': 'true' } }),
        h(
          'div',
          { class: 'event-body' },
          h(
            'div',
            { class: 'event-head' },
            h('span', { class: 'event-type' }, event.type),
            h('span', { class: 'event-actor' }, event.actor),
            timeElement(event.at, true),
          ),
          event.detail && Object.keys(event.detail).length > 0
            ? h(
                'div',
                { class: 'event-detail' },
                Object.entries(event.detail)
                  .map(([key, value]) => `${key}: ${String(value)}`)
                  .join(' \u00b7 '),
              )
            : undefined,
        ),
      ),
    ),
  );
}

function historyDetails(message: Message): HTMLElement | undefined {
  const history = message.history ?? [];
  if (history.length < 2) return undefined;
  return h(
    'details',
    { class: 'history', attrs: { 'data-key': `history ${message.channel}/${message.ts}` } },
    h(
      'summary',
      {},
      `Message history in #${message.channel}: ${history.length} versions (chat.postMessage, then chat.update)`,
    ),
    h(
      'ol',
      {},
      ...history.map((version, index) =>
        h(
          'li',
          { class: 'history-version' },
          h('div', { class: 'history-label' }, `Version ${index + 1}`),
          renderBlocks(version.blocks, { viewer }),
        ),
      ),
    ),
  );
}

function dialogsDetails(dialogs: readonly Dialog[]): HTMLElement | undefined {
  if (dialogs.length === 0) return undefined;
  return h(
    'details',
    { class: 'history', attrs: { 'data-key': 'dialogs' } },
    h('summary', {}, `Deny dialogs opened (views.open): ${dialogs.length}`),
    ...dialogs.map((dialog) =>
      h(
        'div',
        { class: 'dialog-record' },
        h(
          'div',
          { class: 'history-label' },
          plainText(String((dialog.view.title as Json | undefined)?.text ?? '')),
        ),
        renderBlocks(dialog.view.blocks, { viewer }),
      ),
    ),
  );
}

function renderDetail(current: State, shown: Detail | 'missing'): void {
  const back = h('nav', { class: 'crumbs' }, h('a', { attrs: { href: '/console' } }, '\u2190 All requests'));
  if (shown === 'missing') {
    main.replaceChildren(
      h(
        'div',
        { class: 'feed-column' },
        back,
        h('h1', {}, 'No such request'),
        h('p', {}, `No request ${detailId}.`),
      ),
      noticesPanel(),
    );
    return;
  }
  const { request } = shown;
  // Expanded sections stay expanded when the page updates.
  const open = new Set<string | null>();
  main.querySelectorAll('details[open]').forEach((d) => open.add(d.getAttribute('data-key')));
  const messages = shown.messages.map((m) => {
    const pending = isPending(m, current.actions);
    return h('div', {}, pending ? card(m) : messageCard(m, false), historyDetails(m));
  });
  main.replaceChildren(
    h(
      'div',
      { class: 'feed-column' },
      back,
      h(
        'h1',
        { class: 'detail-title' },
        'Request ',
        h('code', {}, request.auth_req_id),
        h('span', { class: `status ${STATUS_CLASS[request.status] ?? ''}` }, request.status),
      ),
      section('facts-heading', 'Request', factsList(request)),
      section(
        'slack-heading',
        'In Slack',
        messages.length > 0
          ? h('div', { class: 'feed' }, ...messages)
          : h('p', { class: 'empty' }, 'No message.'),
        dialogsDetails(shown.dialogs),
      ),
      section('audit-heading', 'Audit trail', timeline(request.events)),
    ),
    noticesPanel(),
  );
  main.querySelectorAll('details').forEach((d) => {
    if (open.has(d.getAttribute('data-key'))) d.open = true;
  });
  document.title = `${request.auth_req_id} (${request.status}) \u00b7 stepup console`;
}

function render(): void {
  if (!state) return;
  if (!state.stand_in) {
    main.replaceChildren(
      h(
        'div',
        { class: 'feed-column' },
        h('h1', {}, 'Real Slack is connected'),
        h('p', {}, 'The console shows the Slack stand-in; with real Slack credentials, approve in Slack.'),
      ),
    );
    return;
  }
  if (detailId) {
    if (detail) renderDetail(state, detail);
  } else renderList(state);
  const { actions } = state;
  if (denying && !state.messages.some((m) => m.request_id === denying && isPending(m, actions))) {
    denyError.textContent = 'This request is no longer pending; a deny now would be refused.';
    denyError.hidden = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Approver selector and polling

function setupApprovers(current: State): void {
  if (approverSelect.options.length > 0) return;
  for (const approver of current.approvers) {
    const groups = approver.groups.length > 0 ? approver.groups.join(', ') : 'not in any approver group';
    approverSelect.append(h('option', { attrs: { value: approver.id } }, `${approver.id} \u2014 ${groups}`));
  }
  const wanted = new URLSearchParams(location.search).get('as') ?? localStorage.getItem(STORAGE_KEY);
  const known = current.approvers.some((a) => a.id === wanted);
  viewer = known && wanted ? wanted : (current.approvers[0]?.id ?? '');
  approverSelect.value = viewer;
}

approverSelect.addEventListener('change', () => {
  viewer = approverSelect.value;
  localStorage.setItem(STORAGE_KEY, viewer);
  flashLine.hidden = true;
  render();
});

async function refresh(): Promise<void> {
  const [stateResponse, detailResponse] = await Promise.all([
    // With the revision shown, an unchanged state is answered `{unchanged: true}`, not sent again.
    fetch(`/console/api/state${state ? `?since=${state.revision}` : ''}`, { cache: 'no-store' }),
    detailId
      ? fetch(`/console/api/requests/${encodeURIComponent(detailId)}`, { cache: 'no-store' })
      : undefined,
  ]);
  if (!stateResponse.ok) throw new Error(`state: HTTP ${stateResponse.status}`);
  if (detailResponse && !detailResponse.ok && detailResponse.status !== 404) {
    throw new Error(`request: HTTP ${detailResponse.status}`);
  }
  const answer = await stateResponse.text();
  const nextState = (JSON.parse(answer) as { unchanged?: boolean }).unchanged ? stateText : answer;
  const nextDetail = detailResponse?.ok ? await detailResponse.text() : '';
  if (nextState === stateText && nextDetail === detailText) return;
  stateText = nextState;
  detailText = nextDetail;
  state = JSON.parse(nextState) as State;
  if (detailResponse) detail = detailResponse.ok ? (JSON.parse(nextDetail) as Detail) : 'missing';
  setupApprovers(state);
  render();
}

async function poll(): Promise<void> {
  try {
    await refresh();
    setLive(true);
  } catch {
    setLive(false);
  } finally {
    window.setTimeout(() => void poll(), POLL_MS);
  }
}

void poll();
