// Classic editor pick lists: for every `dataSourceBindings` entry of every tasks/*/task.json,
// render its request against the emulator's ARM, GET it with a bearer token, apply the
// resultSelector and resultTemplate, and check the pick list offers the seeded resources.
// Data-driven: a new binding is covered as soon as its task.json lands; a binding on a resource
// collection this file has no expectation for fails and says what to add.
import * as assert from 'assert';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { startEmulator, type Emulator } from '../emulator/index';
import {
  effectiveBinding, jsonPath, macroNames, pickListItems, renderEndpointUrl, renderMustache,
  type DataSourceBinding, type PickListItem,
} from './datasource';
import { repoRoot, type TaskInput } from './task-steps';

interface TaskJsonWithBindings { name: string; inputs?: TaskInput[]; dataSourceBindings?: DataSourceBinding[] }

const taskNames = fs.readdirSync(path.join(repoRoot, 'tasks'))
  .filter((t) => fs.existsSync(path.join(repoRoot, 'tasks', t, 'task.json'))).sort();
const tasks: TaskJsonWithBindings[] = taskNames.map((t) => JSON.parse(fs.readFileSync(path.join(repoRoot, 'tasks', t, 'task.json'), 'utf8')) as TaskJsonWithBindings);

const RG = 'rg-ml';
const WS = 'mlw';
const MODEL = 'building-energy';
// Values the user would already have picked in the editor, by input name (the $(x) in endpoint URLs).
const INPUT_VALUES: Record<string, string> = {
  resourceGroup: RG, resourceGroupName: RG, workspaceName: WS, workspace: WS, modelName: MODEL,
};

function armGet(emu: Emulator, url: string, token: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'GET', ca: emu.caPem, headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      lookup: (_host, opts, cb) => {
        if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try { resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) as unknown : undefined }); } catch { resolve({ status: res.statusCode ?? 0, body: text }); }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function armPut(emu: Emulator, url: string, token: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request(url, {
      method: 'PUT', ca: emu.caPem,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      lookup: (_h, opts, cb) => {
        if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end(data);
  });
}

/** What each resource collection's pick list must offer, and how to seed it first when the emulator does not. */
interface Expectation { expected: (emu: Emulator) => string; seed?: (emu: Emulator, token: string) => Promise<void> }
const amlBase = (emu: Emulator): string =>
  `${emu.urls.arm}/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/${WS}`;
async function seedPut(emu: Emulator, token: string, url: string, body: unknown): Promise<void> {
  const status = await armPut(emu, url, token, body);
  assert.ok(status >= 200 && status < 300, `seeding PUT ${url.replace(emu.urls.arm, '')} answered ${status}`);
}
const EXPECTATIONS: Record<string, Expectation> = {
  resourcegroups: { expected: () => RG },
  workspaces: { expected: () => WS },
  computes: { expected: () => 'cpu-cluster' },
  registries: {
    expected: (emu) => {
      const name = emu.state.getWorkspace(RG, WS)?.containerRegistryName;
      assert.ok(name, `the seeded workspace ${WS} has no container registry`);
      return name;
    },
  },
  vaults: { expected: (emu) => emu.state.getWorkspace(RG, WS)?.keyVaultName ?? 'kv-test' },
  models: {
    expected: () => MODEL,
    seed: (emu, token) => seedPut(emu, token, `${amlBase(emu)}/models/${MODEL}?api-version=2022-10-01`, { properties: { description: 'seeded by datasources.test' } }),
  },
  versions: {
    expected: () => '1',
    seed: async (emu, token) => {
      await seedPut(emu, token, `${amlBase(emu)}/models/${MODEL}?api-version=2022-10-01`, { properties: {} });
      await seedPut(emu, token, `${amlBase(emu)}/models/${MODEL}/versions/1?api-version=2022-10-01`, {
        properties: { modelType: 'custom_model', modelUri: `azureml://subscriptions/${emu.identities.subscriptionId}/resourcegroups/${RG}/workspaces/${WS}/datastores/workspaceblobstore/paths/seed/model/` },
      });
    },
  },
  environments: {
    expected: () => 'energy-env',
    seed: (emu, token) => seedPut(emu, token, `${amlBase(emu)}/environments/energy-env?api-version=2022-10-01`, { properties: { description: 'seeded' } }),
  },
  experiments: { expected: () => 'building-energy' },
  onlineendpoints: {
    expected: () => 'energy-prod',
    seed: (emu, token) => seedPut(emu, token, `${amlBase(emu)}/onlineEndpoints/energy-prod?api-version=2024-04-01`, { location: 'eastus', properties: { authMode: 'Key' } }),
  },
  containergroups: {
    expected: () => 'building-energy-test',
    // An image from a registry the emulator does not serve: the group is listed (provisioning fails), nothing runs.
    seed: (emu, token) => seedPut(emu, token,
      `${emu.urls.arm}/subscriptions/${emu.identities.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ContainerInstance/containerGroups/building-energy-test?api-version=2023-05-01`,
      {
        location: 'eastus',
        properties: {
          osType: 'Linux', restartPolicy: 'Always',
          containers: [{ name: 'scoring', properties: { image: 'example.invalid/scoring:1', ports: [{ port: 5001 }], resources: { requests: { cpu: 1, memoryInGB: 1.5 } } } }],
          ipAddress: { type: 'Public', ports: [{ port: 5001, protocol: 'TCP' }], dnsNameLabel: 'building-energy-test' },
        },
      }),
  },
};


/** The resource collection a request lists: the last path segment (`.../workspaces`, `.../computes`). */
function collectionOf(url: string): string {
  return new URL(url).pathname.replace(/\/+$/, '').split('/').pop()!.toLowerCase();
}

describe('examples: classic editor pick lists (dataSourceBindings) against the emulator', function () {
  let emu: Emulator;
  let token = '';
  before(async () => {
    emu = await startEmulator({ imds: false });
    token = emu.issueToken({ audience: 'https://management.azure.com', appId: emu.identities.spnSecret.clientId, objectId: emu.identities.spnSecret.objectId });
  });
  after(async () => { await emu?.stop(); });

  it('finds task.json files with bindings', () => {
    assert.ok(tasks.some((t) => (t.dataSourceBindings ?? []).length > 0), `no dataSourceBindings in ${taskNames.join(', ')}`);
  });

  for (const task of tasks) {
    for (const raw of task.dataSourceBindings ?? []) {
      describe(`${task.name}: pick list for '${raw.target}'`, () => {
        const inputs = new Map((task.inputs ?? []).map((i) => [i.name, i]));
        it('targets a pickList input and uses the task\'s service connection and inputs', () => {
          const target = inputs.get(raw.target);
          assert.ok(target, `target '${raw.target}' is not an input of ${task.name}`);
          assert.strictEqual(target.type, 'pickList', `input '${raw.target}' is ${target.type}: the editor shows a pick list only for type pickList`);
          const endpointInput = /^\$\(([^)]+)\)$/.exec(raw.endpointId ?? '')?.[1];
          assert.ok(endpointInput && inputs.get(endpointInput)?.type.startsWith('connectedService:AzureRM'),
            `endpointId '${raw.endpointId}' must be $(<the connectedService:AzureRM input>)`);
          for (const m of macroNames(effectiveBinding(raw).endpointUrl ?? '')) {
            assert.ok(inputs.has(m), `endpointUrl uses $(${m}), which is not an input of ${task.name}`);
          }
        });
        it('offers the seeded resources when rendered against the emulator', async () => {
          const binding = effectiveBinding(raw);
          assert.ok(binding.endpointUrl, 'no endpointUrl and no known dataSourceName');
          const url = renderEndpointUrl(binding.endpointUrl, { url: `${emu.urls.arm}/`, subscriptionId: emu.identities.subscriptionId }, INPUT_VALUES);
          const expectation = EXPECTATIONS[collectionOf(url)];
          assert.ok(expectation, `no expectation for the '${collectionOf(url)}' collection (${url}): add one to EXPECTATIONS in test/examples/datasources.test.ts`);
          await expectation.seed?.(emu, token);
          const items: PickListItem[] = [];
          let next: string | undefined = url;
          for (let page = 0; next && page < 20; page++) {
            const res = await armGet(emu, next, token);
            assert.strictEqual(res.status, 200, `GET ${next.replace(emu.urls.arm, '')} answered ${res.status}: ${JSON.stringify(res.body)}`);
            items.push(...pickListItems(binding, res.body));
            // The editor follows nextLink only when the binding declares callback templates.
            const nextLink = (res.body as { nextLink?: string }).nextLink;
            next = binding.callbackRequiredTemplate ? nextLink : undefined;
          }
          const want = expectation.expected(emu);
          assert.ok(items.some((i) => i.Value === want), `pick list ${JSON.stringify(items.map((i) => i.Value))} lacks '${want}'`);
          for (const i of items) assert.ok(i.Value && i.DisplayValue, `empty item ${JSON.stringify(i)}`);
        });
      });
    }
  }

  describe('the data source machinery itself', () => {
    it('maps AzureResourceGroups to the ARM resource group list', () => {
      const b = effectiveBinding({ target: 'rg', dataSourceName: 'AzureResourceGroups' });
      assert.strictEqual(renderEndpointUrl(b.endpointUrl!, { url: 'https://arm/', subscriptionId: 's1' }, {}), 'https://arm/subscriptions/s1/resourcegroups?api-version=2021-04-01');
      assert.deepStrictEqual(pickListItems(b, { value: [{ name: 'a' }, { name: 'b' }] }), [{ Value: 'a', DisplayValue: 'a' }, { Value: 'b', DisplayValue: 'b' }]);
      assert.throws(() => effectiveBinding({ target: 'x', dataSourceName: 'AzureNoSuchThing' }), /not a known built-in/);
    });
    it('renders endpoint fields and $(input) macros, and refuses an unknown macro', () => {
      const url = '{{{endpoint.url}}}subscriptions/{{{endpoint.subscriptionId}}}/resourceGroups/$(resourceGroup)/x?api-version=1';
      assert.strictEqual(renderEndpointUrl(url, { url: 'https://h/', subscriptionId: 's' }, { resourceGroup: 'rg 1' }), 'https://h/subscriptions/s/resourceGroups/rg%201/x?api-version=1');
      assert.throws(() => renderEndpointUrl(url, { url: 'https://h/', subscriptionId: 's' }, {}), /\$\(resourceGroup\)/);
    });
    it('evaluates the JSONPath subset', () => {
      const doc = { value: [{ name: 'a', properties: { kind: 'x' } }, { name: 'b', properties: { kind: 'y' } }] };
      assert.deepStrictEqual(jsonPath(doc, '$.value[*]'), doc.value);
      assert.deepStrictEqual(jsonPath(doc, '$.value[*].name'), ['a', 'b']);
      assert.deepStrictEqual(jsonPath(doc, "$.value[?(@.properties.kind == 'y')].name"), ['b']);
      assert.deepStrictEqual(jsonPath(doc, "$['value'][1].name"), ['b']);
      assert.deepStrictEqual(jsonPath(doc, '$.nothing[*]'), []);
      assert.throws(() => jsonPath(doc, '$..name'), /unsupported JSONPath/);
    });
    it('renders result templates (raw, escaped, extractResource) into pick list items', () => {
      const item = { name: 'ws"1', id: '/subscriptions/s/resourceGroups/rg-a/providers/P/workspaces/ws1' };
      assert.strictEqual(renderMustache('{{{name}}}|{{name}}|{{#extractResource id resourcegroups}}', item), 'ws"1|ws&#34;1|rg-a');
      const b: DataSourceBinding = { target: 't', resultSelector: 'jsonpath:$.value[*]', resultTemplate: '{ "Value" : "{{{name}}}", "DisplayValue" : "{{{name}}} ({{#extractResource id resourcegroups}})" }' };
      assert.deepStrictEqual(pickListItems(b, { value: [item] }), [{ Value: 'ws"1', DisplayValue: 'ws"1 (rg-a)' }]);
      assert.throws(() => pickListItems({ target: 't', resultSelector: 'jsonpath:$.value[*]' }, { value: [item] }), /no resultTemplate/);
    });
  });
});
