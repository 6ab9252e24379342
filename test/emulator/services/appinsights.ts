// Application Insights ingestion (the Breeze route the SDKs and our scoring server post to):
// POST <IngestionEndpoint>/v2.1/track with a JSON array of envelopes (or JSON lines), answered with
// { itemsReceived, itemsAccepted, errors: [{ index, statusCode, message }] } — 200 when all are accepted, 206 when
// some are, 400 when none are. An item is accepted when its iKey is a component's instrumentation key and it
// has name, time and data.baseType. Tests read what was accepted back with `telemetryOf(emu, iKey)`.
// The components' connection strings (aci.ts) point IngestionEndpoint here: https://127.0.0.1:<port>/.
import type { EmulatorApi, ServiceModule } from '../types';
import { appInsightsComponents } from './aci';

export interface TelemetryEnvelope {
  name: string;
  time: string;
  iKey: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> };
}

/** Envelopes accepted for an instrumentation key, in arrival order. */
export function telemetryOf(emu: { state: EmulatorApi['state'] }, iKey: string): TelemetryEnvelope[] {
  const bucket = emu.state.bucket<TelemetryEnvelope[]>('appInsights.telemetry');
  let list = bucket.get(iKey.toLowerCase());
  if (!list) {
    list = [];
    bucket.set(iKey.toLowerCase(), list);
  }
  return list;
}

function problem(item: unknown, knownKeys: Set<string>): string | undefined {
  if (!item || typeof item !== 'object') return 'Item is not a JSON object';
  const e = item as Partial<TelemetryEnvelope>;
  if (typeof e.iKey !== 'string' || !knownKeys.has(e.iKey.toLowerCase())) return 'Invalid instrumentation key';
  if (typeof e.name !== 'string' || !e.name) return "Field 'name' on type 'Envelope' is required but missing or empty";
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return "Field 'time' on type 'Envelope' is required but missing or empty";
  if (!e.data || typeof e.data.baseType !== 'string' || !e.data.baseData) return "Field 'baseType' on type 'Data' is required but missing or empty";
  return undefined;
}

const service: ServiceModule = {
  name: 'appinsights',
  order: 15,
  register(emu) {
    emu.addRoute('any', 'POST', '/v2.1/track', (ctx) => {
      let items: unknown[];
      try {
        const text = ctx.body.trim();
        items = text.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
      } catch {
        ctx.json(400, { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: 'Invalid JSON' }] });
        return;
      }
      const knownKeys = new Set([...appInsightsComponents(emu).values()].map((c) => c.instrumentationKey.toLowerCase()));
      const errors: { index: number; statusCode: number; message: string }[] = [];
      items.forEach((item, index) => {
        const why = problem(item, knownKeys);
        if (why) errors.push({ index, statusCode: 400, message: why });
        else telemetryOf(emu, (item as TelemetryEnvelope).iKey).push(item as TelemetryEnvelope);
      });
      const accepted = items.length - errors.length;
      ctx.json(accepted === items.length ? 200 : accepted > 0 ? 206 : 400, { itemsReceived: items.length, itemsAccepted: accepted, errors });
    }, { auth: 'none' });
  },
};
export default service;
