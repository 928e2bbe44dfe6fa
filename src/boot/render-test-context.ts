/**
 * A render context for tests: one machine, this server at 198.18.0.2 (HTTP 8080, TFTP 69).
 */
import type { RenderContext } from './render-fields.js';
import { templateVars, type TemplateFacts } from './templates/template-vars.js';

export const TEST_MAC = '52:54:00:12:34:56';

export function testContext(profileName: string, facts: Partial<TemplateFacts> = {}): RenderContext {
  const f: TemplateFacts = {
    mac: TEST_MAC,
    hostname: 'db-1',
    ip: '198.18.0.100',
    uuid: '4c4c4544-0042-3510-8056-b3c04f4d3232',
    arch: 0,
    firmware: 'ipxe',
    labels: { rack: '3' },
    profile: profileName,
    serverAddress: '198.18.0.2',
    httpPort: 8080,
    installToken: null,
    ...facts,
  };
  return { profileName, mac: f.mac, vars: templateVars(f), httpBase: 'http://198.18.0.2:8080', tftpBase: 'tftp://198.18.0.2' };
}
