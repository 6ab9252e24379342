// Azure DevOps pipeline OIDC route on dev.azure.localhost (what AzurePipelinesCredential calls):
// POST <SYSTEM_OIDCREQUESTURI>?api-version=7.1&serviceConnectionId=<id>, Bearer System.AccessToken → { oidcToken }.
import * as crypto from 'crypto';
import type { RouteContext, ServiceModule } from '../types';
import { FEDERATED_AUDIENCE } from './entra';

function adoError(ctx: RouteContext, status: number, typeKey: string, message: string): void {
  ctx.json(status, {
    $id: '1', innerException: null, message, typeName: `Microsoft.TeamFoundation.DistributedTask.WebApi.${typeKey}, Microsoft.TeamFoundation.DistributedTask.WebApi`,
    typeKey, errorCode: 0, eventId: 3000,
  }, { 'activityid': crypto.randomUUID() });
}

const service: ServiceModule = {
  name: 'oidc',
  order: 20,
  register(emu) {
    emu.addRoute('devops', 'POST', '/{*prefix}', (ctx) => {
      if (!/\/oidctoken$/i.test(ctx.path)) {
        adoError(ctx, 404, 'RouteNotFoundException', `The emulator serves no Azure DevOps route ${ctx.path}.`);
        return;
      }
      const auth = ctx.req.headers.authorization ?? '';
      if (auth !== `Bearer ${emu.identities.wif.systemAccessToken}`) {
        ctx.send(401, { 'www-authenticate': 'Bearer authorization_uri=https://login.localhost/', 'x-tfs-processid': crypto.randomUUID() });
        return;
      }
      const v = ctx.query['api-version'];
      if (!v) {
        adoError(ctx, 400, 'VssVersionNotSpecifiedException', 'No api-version was supplied for the POST request.');
        return;
      }
      if (!/^7\.1(-preview(\.\d+)?)?$/.test(v) && !/^7\.[2-9]/.test(v)) {
        adoError(ctx, 400, 'VssVersionOutOfRangeException', `The requested REST API version of ${v} is out of range for this server.`);
        return;
      }
      const id = ctx.query.serviceConnectionId;
      if (!id) {
        adoError(ctx, 400, 'ArgumentNullException', 'Value cannot be null.\r\nParameter name: serviceConnectionId');
        return;
      }
      const extra = emu.state.bucket<true>('oidc.connections');
      if (id.toLowerCase() !== emu.identities.wif.serviceConnectionId.toLowerCase() && !extra.has(id.toLowerCase())) {
        adoError(ctx, 404, 'ServiceEndpointNotFoundException', `Service connection ${id} was not found or the pipeline is not authorized to use it.`);
        return;
      }
      const token = emu.issueToken({
        audience: FEDERATED_AUDIENCE, appId: emu.identities.wif.serviceConnectionId, expiresInSeconds: 600,
        extra: { iss: emu.identities.wif.issuer, sub: emu.identities.wif.subject, tid: undefined, appid: undefined, azp: undefined, oid: undefined, idtyp: undefined, ver: undefined },
      });
      ctx.json(200, { oidcToken: token });
    }, { auth: 'none' });
  },
};
export default service;
