"""An azure-ai-ml MLClient wired to the local emulator (test/oracle, docs/EMULATOR.md "Official client oracle").

The environment comes from test/oracle/azure-ai-ml.ts (runAzureAiMl):
  ORACLE_ARM, ORACLE_AUTHORITY      https://management.localhost:<port>, https://login.localhost:<port>
  ORACLE_STORAGE_ENDPOINT           localhost:<azurite port>  (blob URL https://<account>.blob.<endpoint>)
  ORACLE_AML_DATA                   https://<region>.api.azureml.localhost:<port>
  ORACLE_SUBSCRIPTION, ORACLE_RESOURCE_GROUP, ORACLE_WORKSPACE
  ORACLE_ARM_TOKEN                  an ARM-audience token the emulator issued (the credential is not under test)
  ORACLE_AML_TOKEN                  the same for the audience https://ml.azure.com (user-identity jobs)
  REQUESTS_CA_BUNDLE                the emulator CA
The cloud is a custom entry in azure-ai-ml's own cloud table (`_azure_environments._environments`), the
one place its endpoints come from; nothing else of the client is changed.
"""
import os
import time

from azure.core.credentials import AccessToken
from azure.ai.ml import MLClient
from azure.ai.ml import _azure_environments as envs

CLOUD = "AzureEmulator"


class EmulatorToken:
    """TokenCredential returning the token the emulator issued for this run."""

    def __init__(self, token):
        self._token = token

    def get_token(self, *scopes, **kwargs):  # noqa: ARG002 - the TokenCredential protocol
        # a job with `identity: user_identity` also sends an AML-audience token (x-azureml-token,
        # JobOperations._set_headers_with_user_aml_token), which the client checks for aud https://ml.azure.com/
        if any(s.startswith("https://ml.azure.com") for s in scopes) and os.environ.get("ORACLE_AML_TOKEN"):
            return AccessToken(os.environ["ORACLE_AML_TOKEN"], int(time.time()) + 3000)
        return AccessToken(self._token, int(time.time()) + 3000)


def register_cloud():
    envs._environments[CLOUD] = {
        envs.EndpointURLS.AZURE_PORTAL_ENDPOINT: "https://portal.azure.com/",
        envs.EndpointURLS.RESOURCE_MANAGER_ENDPOINT: os.environ["ORACLE_ARM"].rstrip("/") + "/",
        envs.EndpointURLS.ACTIVE_DIRECTORY_ENDPOINT: os.environ["ORACLE_AUTHORITY"].rstrip("/") + "/",
        envs.EndpointURLS.AML_RESOURCE_ID: "https://ml.azure.com/",
        envs.EndpointURLS.STORAGE_ENDPOINT: os.environ["ORACLE_STORAGE_ENDPOINT"],
        envs.EndpointURLS.REGISTRY_DISCOVERY_ENDPOINT: os.environ["ORACLE_AML_DATA"].rstrip("/") + "/",
    }


def ml_client():
    register_cloud()
    return MLClient(
        EmulatorToken(os.environ["ORACLE_ARM_TOKEN"]),
        subscription_id=os.environ["ORACLE_SUBSCRIPTION"],
        resource_group_name=os.environ["ORACLE_RESOURCE_GROUP"],
        workspace_name=os.environ["ORACLE_WORKSPACE"],
        cloud=CLOUD,
        show_progress=False,
    )
