// The endpoint of a running group, the task's outputs and its run summary.
import type { ContainerGroup } from '@azure/arm-containerinstance';
import type { CloudEndpoints } from '../../shared/src/cloud';
import { TaskError } from '../../shared/src/errors';
import { setOutput } from '../../shared/src/outputs';
import { type Markdown, MarkdownSummary } from '../../shared/src/summary';

export interface Endpoint {
  scoringUri: string;
  fqdn: string;
  ipAddress: string;
  containerGroupId: string;
}

/** `http(s)://<fqdn>:<port>/score` (https with a TLS certificate), or the IP for a private group (no DNS name). */
export function endpointOf(g: ContainerGroup, port: number, tls = false): Endpoint {
  const fqdn = g.ipAddress?.fqdn ?? '';
  const ip = g.ipAddress?.ip ?? '';
  const host = fqdn || ip;
  if (!host) throw new TaskError(`Container group '${g.name}' is running but Azure reports neither an FQDN nor an IP address.`);
  return { scoringUri: `${tls ? 'https' : 'http'}://${host}:${port}/score`, fqdn, ipAddress: ip, containerGroupId: g.id ?? '' };
}

/** Azure portal host of the named clouds; custom clouds get no link (their portal cannot be derived). */
export function portalUrl(cloud: CloudEndpoints, resourceId: string): string | undefined {
  const hosts: Record<string, string> = { azurecloud: 'portal.azure.com', azureusgovernment: 'portal.azure.us', azurechinacloud: 'portal.azure.cn' };
  const host = hosts[cloud.name.toLowerCase()];
  return host && resourceId ? `https://${host}/#resource${resourceId}` : undefined;
}

export function setOutputs(e: Endpoint, scoringKey: string | undefined): void {
  setOutput('scoringUri', e.scoringUri);
  setOutput('fqdn', e.fqdn);
  setOutput('ipAddress', e.ipAddress);
  setOutput('containerGroupId', e.containerGroupId);
  setOutput('scoringKey', scoringKey ?? '', { secret: true });
}

export interface SummaryFacts {
  name: string;
  action: 'Created' | 'Updated';
  image: string;
  imageDigest?: string;
  location: string;
  cpu: number;
  memoryGb: number;
  endpoint: Endpoint;
  registry: string;
  scoringKey: string;
  /** 'off', or the certificate's secret and expiry. */
  tls: string;
  appInsights: string;
  secureNames: string[];
  portal?: string;
}

export function writeSummary(f: SummaryFacts): void {
  const s = new MarkdownSummary();
  s.heading(`Container group ${f.name}`, 3);
  const rows: (string | Markdown)[][] = [
    ['Action', f.action],
    ['Scoring URI', f.endpoint.scoringUri],
    ['Image', f.image],
    ...(f.imageDigest ? [['Image digest', f.imageDigest]] : []),
    ['Location', f.location],
    ['Resources', `${f.cpu} CPU, ${f.memoryGb} GB`],
    ['Registry credentials', f.registry],
    ['Scoring key', f.scoringKey],
    ['TLS', f.tls],
    ['Application Insights', f.appInsights],
    ['Secure environment variables', f.secureNames.length > 0 ? f.secureNames.join(', ') : '(none)'],
  ];
  if (f.portal) rows.push(['Azure portal', MarkdownSummary.linkText('open the container group', f.portal)]);
  s.table(['', ''], rows);
  s.write(`DeployToACI ${f.name}`);
}
