// Who serves: the endpoint's `traffic` (live shares) and `mirrorTraffic` (copied shares, replies
// discarded) say which deployment is blue (the one serving before this rollout) and how far the new
// one, green, has come. Nothing else is stored: a re-run reads the same two maps and knows where it is.

export interface EndpointTraffic {
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
}

export class TrafficStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrafficStateError';
  }
}

function share(map: Record<string, number>, name: string): number {
  // Azure compares deployment names case-insensitively in the traffic maps.
  let total = 0;
  for (const [k, v] of Object.entries(map)) if (k.toLowerCase() === name.toLowerCase()) total += v;
  return total;
}

export function liveShare(t: EndpointTraffic, deployment: string): number {
  return share(t.traffic, deployment);
}

export function mirrorShare(t: EndpointTraffic, deployment: string): number {
  return share(t.mirrorTraffic, deployment);
}

/**
 * The deployment that serves live traffic besides green, or undefined when none does (a new endpoint,
 * or green already holds everything). Two others sharing live traffic is a split this task did not
 * make: refused rather than guessed.
 */
export function blueOf(t: EndpointTraffic, green: string): string | undefined {
  const others = Object.entries(t.traffic).filter(([k, v]) => v > 0 && k.toLowerCase() !== green.toLowerCase());
  if (others.length > 1) {
    const list = others.map(([k, v]) => `${k} ${v} %`).join(', ');
    throw new TrafficStateError(`The endpoint splits live traffic over ${list}: a blue/green rollout needs one serving deployment. Move the traffic to one deployment first.`);
  }
  return others[0]?.[0];
}

export function describeTraffic(t: EndpointTraffic): string {
  const live = Object.entries(t.traffic).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v} %`).join(', ') || 'none';
  const mirror = Object.entries(t.mirrorTraffic).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v} %`).join(', ');
  return mirror ? `live: ${live}; mirrored: ${mirror}` : `live: ${live}`;
}
