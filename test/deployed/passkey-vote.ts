import { linkIn } from '../helpers/passkey-policies';
import { SoftwareAuthenticator, ceremonyOptionsIn } from '../helpers/software-authenticator';
import { until } from '../helpers/wait';
import type { ApiResponse } from './api-gateway';
import type { Deployment } from './deployment';

/**
 * An approver's passkey vote through the deployed bundles: the signed Slack click answers with a
 * private link (enrolment first, then the vote), the approval page is fetched through API Gateway,
 * a software authenticator answers its ceremony with real signatures, and the answer is posted back.
 */
export class PasskeyApprover {
  private key: SoftwareAuthenticator | undefined;

  constructor(
    private readonly deployment: Deployment,
    readonly user: string,
  ) {}

  /** Clicks the button as Slack would and returns the path of the private link it answered with. */
  private async linkPath(requestId: string, decision: 'approve' | 'deny'): Promise<URL> {
    return new URL(linkIn(await this.answer(requestId, decision)));
  }

  /** Clicks the button as Slack would and returns the private answer's text. */
  private async answer(requestId: string, decision: 'approve' | 'deny'): Promise<string> {
    const slack = this.deployment.slack.slack;
    const before = slack.ephemerals.length;
    const signed = slack.click({ requestId, user: this.user, decision });
    const clicked = await this.deployment.sendToSlackEvents(signed);
    if (clicked.status !== 200) throw new Error(`click answered ${clicked.status}`);
    const said = await until(
      () => slack.ephemerals.slice(before).find((e) => e.user === this.user),
      `the private answer to ${this.user}`,
    );
    return said.text;
  }

  private async page(link: URL): Promise<ApiResponse> {
    return this.deployment.api.request({ method: 'GET', path: link.pathname });
  }

  private post(link: URL, response: unknown, extra: Record<string, unknown> = {}): Promise<ApiResponse> {
    return this.deployment.api.request({
      method: 'POST',
      path: link.pathname,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response, ...extra }),
    });
  }

  /** The "your passkeys" page an enrolled clicker is linked to beside the vote link. */
  private async passkeysPage(requestId: string) {
    const links = [...(await this.answer(requestId, 'approve')).matchAll(/<(https?:\/\/[^|>]+)\|/g)];
    const link = new URL(links[1]?.[1] ?? '');
    const html = (await this.page(link)).body;
    const proofs = /<script type="application\/json" id="proofs">([^<]*)<\/script>/.exec(html)?.[1];
    type Assertion = { challenge: string; rpId: string };
    return {
      link,
      options: ceremonyOptionsIn<{ challenge: string; rp: { id: string } }>(html),
      proofs: JSON.parse(proofs ?? '{}') as Record<string, Assertion>,
    };
  }

  /**
   * Adds a second passkey from the "your passkeys" link: without a proof first (refused), then with
   * an assertion of the current passkey; the new one becomes the passkey this approver votes with.
   */
  async addPasskey(requestId: string): Promise<{ without: ApiResponse; added: ApiResponse; old: string }> {
    if (!this.key) throw new Error('enrol first');
    const { link, options, proofs } = await this.passkeysPage(requestId);
    const next = new SoftwareAuthenticator(link.origin);
    const registration = next.register(options);
    const without = await this.post(link, registration);
    const proofOptions = proofs.add;
    if (!proofOptions) throw new Error('no proof options on the page');
    const added = await this.post(link, registration, { proof: this.key.assert(proofOptions) });
    const old = this.key.id;
    this.key = next;
    return { without, added, old };
  }

  /** Removes one of this approver's passkeys, confirmed by the current one. */
  async removePasskey(requestId: string, id: string): Promise<ApiResponse> {
    if (!this.key) throw new Error('enrol first');
    const { link, proofs } = await this.passkeysPage(requestId);
    const proofOptions = proofs[`remove:${id}`];
    if (!proofOptions) throw new Error(`no removal of ${id} on the page`);
    return this.post(link, this.key.assert(proofOptions), { remove: id });
  }

  /** Registers a passkey from the enrolment link the first click hands out. */
  async enrol(requestId: string): Promise<ApiResponse> {
    const link = await this.linkPath(requestId, 'approve');
    this.key = new SoftwareAuthenticator(link.origin);
    const page = await this.page(link);
    return this.post(link, this.key.register(ceremonyOptionsIn(page.body)));
  }

  /** Votes with the passkey: the page of the vote link, then the assertion; also returns the page. */
  async vote(
    requestId: string,
    decision: 'approve' | 'deny',
  ): Promise<{ page: ApiResponse; answer: ApiResponse }> {
    if (!this.key) throw new Error('enrol first');
    const link = await this.linkPath(requestId, decision);
    const page = await this.page(link);
    const answer = await this.post(link, this.key.assert(ceremonyOptionsIn(page.body)));
    return { page, answer };
  }
}
