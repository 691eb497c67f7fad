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
    const slack = this.deployment.slack.slack;
    const before = slack.ephemerals.length;
    const signed = slack.click({ requestId, user: this.user, decision });
    const clicked = await this.deployment.api.request({
      method: 'POST',
      path: '/slack/events',
      headers: signed.headers,
      body: signed.body,
    });
    if (clicked.status !== 200) throw new Error(`click answered ${clicked.status}`);
    const said = await until(
      () => slack.ephemerals.slice(before).find((e) => e.user === this.user),
      `the private answer to ${this.user}`,
    );
    return new URL(linkIn(said.text));
  }

  private async page(link: URL): Promise<ApiResponse> {
    return this.deployment.api.request({ method: 'GET', path: link.pathname });
  }

  private post(link: URL, response: unknown): Promise<ApiResponse> {
    return this.deployment.api.request({
      method: 'POST',
      path: link.pathname,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response }),
    });
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
