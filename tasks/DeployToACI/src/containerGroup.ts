// The container group the task PUTs: one Linux container serving the scoring image. Pure: every
// value comes in through GroupSpec, so the body can be checked in unit tests (secrets only in
// secureValue, lineage tags, network settings).
import type { ContainerGroup, EnvironmentVariable, ImageRegistryCredential } from '@azure/arm-containerinstance';

export interface GroupSpec {
  name: string;
  location: string;
  image: string;
  cpu: number;
  memoryGb: number;
  port: number;
  /** Public IP with this label; ignored with a subnet. */
  dnsNameLabel?: string;
  subnetId?: string;
  /** Plain variables (visible in the portal). */
  environment: ReadonlyMap<string, string>;
  /** Every secret: secure lines, Key Vault values, SCORING_KEY, the App Insights connection string. */
  secureEnvironment: ReadonlyMap<string, string>;
  registryCredential?: ImageRegistryCredential;
  tags: Record<string, string>;
}

export function environmentVariables(plain: ReadonlyMap<string, string>, secure: ReadonlyMap<string, string>): EnvironmentVariable[] {
  const out: EnvironmentVariable[] = [];
  for (const [name, value] of plain) out.push({ name, value });
  // a secret goes only into secureValue: ACI never returns it on GET and never shows it in the portal
  for (const [name, secureValue] of secure) out.push({ name, secureValue });
  return out;
}

export function containerGroupBody(s: GroupSpec): ContainerGroup {
  const ports = [{ port: s.port, protocol: 'TCP' }];
  return {
    location: s.location,
    tags: s.tags,
    osType: 'Linux',
    // a scoring endpoint should come back after a crash or a host move
    restartPolicy: 'Always',
    containers: [
      {
        // the container is named like its group; the group name rule is stricter than the container rule
        name: s.name,
        image: s.image,
        ports: [{ port: s.port, protocol: 'TCP' }],
        resources: { requests: { cpu: s.cpu, memoryInGB: s.memoryGb } },
        environmentVariables: environmentVariables(s.environment, s.secureEnvironment),
      },
    ],
    ...(s.registryCredential ? { imageRegistryCredentials: [s.registryCredential] } : {}),
    ipAddress: s.subnetId
      ? { type: 'Private', ports }
      : { type: 'Public', ports, ...(s.dnsNameLabel ? { dnsNameLabel: s.dnsNameLabel } : {}) },
    ...(s.subnetId ? { subnetIds: [{ id: s.subnetId }] } : {}),
  };
}

/** Settings ACI cannot change on an existing group (they need delete + create), as one line each. */
export function incompatibleChanges(existing: ContainerGroup, wanted: ContainerGroup): string[] {
  const out: string[] = [];
  const a = existing.containers?.[0]?.resources?.requests;
  const b = wanted.containers[0]?.resources?.requests;
  if (a && b && a.cpu !== b.cpu) out.push(`CPU ${a.cpu} -> ${b.cpu}`);
  if (a && b && a.memoryInGB !== b.memoryInGB) out.push(`memory ${a.memoryInGB} GB -> ${b.memoryInGB} GB`);
  if (existing.osType && wanted.osType && existing.osType.toLowerCase() !== wanted.osType.toLowerCase()) out.push(`OS ${existing.osType} -> ${wanted.osType}`);
  const subnetA = (existing.subnetIds ?? []).map((x) => x.id.toLowerCase()).join(',');
  const subnetB = (wanted.subnetIds ?? []).map((x) => x.id.toLowerCase()).join(',');
  if (subnetA !== subnetB) out.push(`network ${subnetA ? 'subnet' : 'public'} -> ${subnetB ? 'subnet' : 'public'}`);
  if (existing.restartPolicy && wanted.restartPolicy && existing.restartPolicy !== wanted.restartPolicy) out.push(`restart policy ${existing.restartPolicy} -> ${wanted.restartPolicy}`);
  return out;
}
