// Application Insights connection of the workspace: ARM GET of the component returns
// properties.ConnectionString (and InstrumentationKey, for older components without one).
import { AzureContext, azureCall, maskValue } from '../../shared/src/azure';
import { TaskError } from '../../shared/src/errors';

export const APP_INSIGHTS_API_VERSION = '2020-02-02';

interface Component {
  name?: string;
  properties?: { ConnectionString?: string; InstrumentationKey?: string };
}

/** The connection string (masked) of the component with this ARM id. */
export async function appInsightsConnectionString(ctx: AzureContext, componentId: string): Promise<string> {
  const name = componentId.split('/').filter(Boolean).pop() ?? componentId;
  const c = await azureCall('Reading', `Application Insights component '${name}' of the workspace`, () => ctx.clients.arm.request<Component>('GET', componentId, APP_INSIGHTS_API_VERSION), {
    advice: 'Set appInsights to false to deploy without it.',
  });
  const cs = c.properties?.ConnectionString || (c.properties?.InstrumentationKey ? `InstrumentationKey=${c.properties.InstrumentationKey}` : undefined);
  if (!cs) throw new TaskError(`Application Insights component '${name}' has no connection string. Set appInsights to false to deploy without it.`);
  maskValue(cs);
  if (c.properties?.InstrumentationKey) maskValue(c.properties.InstrumentationKey);
  return cs;
}
