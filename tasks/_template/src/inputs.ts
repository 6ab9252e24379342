// Every input read and checked before anything touches Azure: pure (no Azure), one typed object, and one
// line naming the input for anything wrong. Name rules come from the shared inputs module.
import { azureResourceGroupName, requiredString, workspaceNameInput } from '../../shared/src/inputs';

export interface TemplateInputs {
  resourceGroup: string;
  workspaceName: string;
}

export function readInputs(): TemplateInputs {
  return {
    resourceGroup: azureResourceGroupName('resourceGroup', requiredString('resourceGroup')),
    workspaceName: workspaceNameInput('workspaceName', requiredString('workspaceName')),
  };
}
