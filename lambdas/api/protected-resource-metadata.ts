/** Where the remote MCP endpoint is, under the API's base URL. */
export const MCP_PATH = '/mcp';

/** RFC 9728 §3: where a protected resource publishes its metadata. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 protected resource metadata of the remote MCP endpoint: the resource, the authorization
 * servers whose tokens it takes (the workload identity issuer: the agent's workload JWT is the MCP
 * bearer), and that the token goes in the Authorization header.
 */
export function protectedResourceMetadata(apiUrl: string, workloadIssuers: readonly string[]) {
  return {
    resource: `${apiUrl}${MCP_PATH}`,
    authorization_servers: [...workloadIssuers],
    bearer_methods_supported: ['header'],
    resource_name:
      'stepup MCP server (request_elevation, check_elevation, get_aws_credentials, list_elevation_options)',
    resource_documentation: `${apiUrl}/openapi.json`,
  };
}
