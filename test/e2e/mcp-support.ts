import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Ajv } from 'ajv';
import { expect } from 'vitest';

/** One tool answer: its structured content, whether it was an error, and the text the model reads. */
export type ToolAnswer = Record<string, unknown> & { readonly isError: boolean; readonly text: string };

/**
 * The `stepup mcp` process over stdio, or the remote endpoint over Streamable HTTP, as an MCP host
 * uses them, driven by the MCP SDK's client. Every
 * answer is checked against the outputSchema the tool advertises, with a JSON Schema validator (not the
 * server's own zod schemas).
 */
export class McpUnderTest {
  stderr = '';
  private readonly validators = new Map<string, (value: unknown) => boolean>();

  private constructor(readonly client: Client) {}

  /** Starts `bin/stepup.cjs mcp` against `url`, authenticated with `token`. */
  static async start(url: string, token: string): Promise<McpUnderTest> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['bin/stepup.cjs', 'mcp'],
      env: { PATH: process.env.PATH ?? '', STEPUP_URL: url, STEPUP_TOKEN: token },
      stderr: 'pipe',
    });
    const mcp = new McpUnderTest(new Client({ name: 'stepup-test', version: '1.0.0' }));
    transport.stderr?.on('data', (chunk: Buffer) => (mcp.stderr += chunk.toString()));
    return mcp.connect(transport);
  }

  /** The remote endpoint `url` (e.g. `http://127.0.0.1:3000/mcp`) over Streamable HTTP, with `token` as bearer. */
  static remote(url: string, token: string): Promise<McpUnderTest> {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    return new McpUnderTest(new Client({ name: 'stepup-test', version: '1.0.0' })).connect(transport);
  }

  private async connect(transport: Transport): Promise<McpUnderTest> {
    await this.client.connect(transport);
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const tool of (await this.client.listTools()).tools) {
      expect(tool.outputSchema, `${tool.name} advertises an outputSchema`).toBeDefined();
      this.validators.set(tool.name, ajv.compile(tool.outputSchema!));
    }
    return this;
  }

  /** Calls tool `name`; fails the test if its structured content does not match its outputSchema. */
  async call(
    name: string,
    args: Record<string, unknown>,
    onprogress?: (progress: { progress: number; total?: number; message?: string }) => void,
  ): Promise<ToolAnswer> {
    const answer = await this.client.callTool({ name, arguments: args }, undefined, { onprogress });
    const structured = answer.structuredContent as Record<string, unknown> | undefined;
    expect(structured, `${name} returns structuredContent`).toBeDefined();
    const valid = this.validators.get(name)!;
    expect(valid(structured), `${name} answer ${JSON.stringify(structured)} matches its outputSchema`).toBe(
      true,
    );
    const content = answer.content as { type: string; text?: string }[];
    return {
      ...structured,
      isError: answer.isError === true,
      text: content.map((c) => c.text ?? '').join('\n'),
    };
  }

  /** Stops the server process. */
  close(): Promise<void> {
    return this.client.close();
  }
}
