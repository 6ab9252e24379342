// Azure Instance Metadata Service (plain HTTP, its own port) for ManagedIdentityCredential.
// @azure/identity (MSAL) uses AZURE_POD_IDENTITY_AUTHORITY_HOST as the IMDS base URL.
import type { ServiceModule } from '../types';

const service: ServiceModule = {
  name: 'imds',
  order: 30,
  register(emu) {
    emu.addRoute('imds', 'GET', '/metadata/identity/oauth2/token', (ctx) => {
      if (String(ctx.req.headers.metadata ?? '').toLowerCase() !== 'true') {
        ctx.json(400, { error: 'invalid_request', error_description: 'Required metadata header not specified' });
        return;
      }
      if (!ctx.query['api-version']) {
        ctx.json(400, { error: 'invalid_request', error_description: 'Required query variable \'api-version\' is missing' });
        return;
      }
      const resource = ctx.query.resource;
      if (!resource) {
        ctx.json(400, { error: 'invalid_request', error_description: 'Required query variable \'resource\' is missing' });
        return;
      }
      const msi = emu.identities.msi;
      const asked = ctx.query.client_id ?? ctx.query.object_id ?? ctx.query.principal_id ?? ctx.query.msi_res_id ?? ctx.query.mi_res_id;
      if (asked && asked.toLowerCase() !== msi.clientId.toLowerCase() && asked.toLowerCase() !== msi.objectId.toLowerCase()) {
        ctx.json(400, { error: 'invalid_request', error_description: 'Identity not found' });
        return;
      }
      const expired = emu.takeTokenFault(ctx.host, ctx.path, ctx.method);
      const lifetime = expired ? -60 : 3600;
      const now = Math.floor(Date.now() / 1000);
      // a managed identity's token names the identity's resource in xms_mirid (ARM records createdByType ManagedIdentity)
      const mirid = `/subscriptions/${emu.identities.subscriptionId}/resourcegroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/agent-identity`;
      const token = emu.issueToken({ audience: resource, appId: msi.clientId, objectId: msi.objectId, expiresInSeconds: lifetime, extra: { xms_mirid: mirid } });
      ctx.json(200, {
        access_token: token, client_id: msi.clientId, expires_in: String(expired ? 1 : lifetime),
        expires_on: String(now + (expired ? 1 : lifetime)), ext_expires_in: String(expired ? 1 : lifetime),
        not_before: String(now - 300), resource, token_type: 'Bearer',
      });
    }, { auth: 'none' });
  },
};
export default service;
