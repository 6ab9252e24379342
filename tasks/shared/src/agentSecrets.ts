// Reading what the agent hands over as secrets (a connection's auth parameters, System.AccessToken)
// without task-lib's debug echo. task-lib's readers print `<id> auth param <key> = <value>` and
// `<name>=<value>` as task.debug lines for every value they return: with system.debug on, that put the
// service principal key, the certificate and the access token in the log, hidden only by the agent's own
// masking. These read the same places task-lib reads (azure-pipelines-task-lib task.js
// getEndpointAuthorizationParameter / getEndpointAuthorizationScheme, internal.js _getVariable and
// _loadData, which moves every ENDPOINT_AUTH_* and SECRET_* variable into its vault) and print nothing.
import * as tlInternal from 'azure-pipelines-task-lib/internal';

interface TaskLibVault {
  retrieveSecret(key: string): string | undefined;
}

/**
 * An auth parameter of the connection, read the way task-lib's getEndpointAuthorizationParameter does
 * (from its vault, where it moves every ENDPOINT_AUTH_* variable when it loads) but WITHOUT its debug line
 * `<id> auth param <key> = <value>`: with system.debug on that line printed the service principal key and
 * the certificate, and only the agent's own masking hid them. (azure-pipelines-task-lib task.js
 * getEndpointAuthorizationParameter; internal.js _loadData.)
 */
export function quietAuthParameter(id: string, key: string): string | undefined {
  const vault = tlInternal._vault as TaskLibVault | undefined;
  const v = vault ? vault.retrieveSecret(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`) : undefined;
  return v && v.trim().length > 0 ? v.trim() : undefined;
}

/**
 * A secret pipeline variable (System.AccessToken), read like task-lib's getVariable (internal.js _getVariable:
 * the vault's SECRET_<KEY> for a secret, else the environment) without its debug line `<name>=<value>`.
 */
export function quietSecretVariable(name: string): string | undefined {
  const key = tlInternal._getVariableKey(name);
  const vault = tlInternal._vault as TaskLibVault | undefined;
  const v = vault?.retrieveSecret(`SECRET_${key}`) ?? process.env[key];
  return v && v.trim().length > 0 ? v.trim() : undefined;
}

/** The connection's auth scheme (no secret, but read from the same vault, quietly). */
export function quietAuthScheme(id: string): string | undefined {
  return (tlInternal._vault as TaskLibVault | undefined)?.retrieveSecret(`ENDPOINT_AUTH_SCHEME_${id}`);
}
