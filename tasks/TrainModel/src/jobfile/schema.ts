// The shape of CLI v2 command, sweep and pipeline job files, transcribed from the marshmallow schemas of
// the official client (azure-ai-ml 1.4, azure/ai/ml/_schema/…); each definition names the class it
// follows. Only what those schemas accept is accepted: an unknown field is an error (their
// PatchedSchemaMeta sets `unknown = RAISE`), except where a schema says INCLUDE (pipeline `settings`).

export type Field =
  | { kind: 'str' }
  /** ArmStr: `azureml:<name>` or `azureml:/subscriptions/…` (the prefix is required). */
  | { kind: 'armStr' }
  | { kind: 'int' }
  | { kind: 'float' }
  | { kind: 'bool' }
  /** A number, string or boolean: PrimitiveValueField and marshmallow's fields.Raw for literals. */
  | { kind: 'primitive' }
  | { kind: 'any' }
  | { kind: 'enum'; values: string[] }
  | ObjectField
  | { kind: 'map'; values: Field; nullable?: boolean }
  | { kind: 'list'; items: Field }
  /** The first option whose shape fits (a string for `str`-like options, a mapping for objects). */
  | { kind: 'union'; options: Field[]; describe: string }
  /** Objects told apart by their `type` value (UnionField of NestedFields each with a StringTransformedEnum type). */
  | { kind: 'tagged'; variants: Record<string, ObjectField>; describe: string; defaultVariant?: string };

export interface ObjectField {
  kind: 'object';
  /** The official class this follows, for messages and review. */
  schemaClass: string;
  fields: Record<string, Field>;
  required?: string[];
  /** Fields the official schema marks dump_only: dropped when present (PathAwareSchema.trim_dump_only). */
  ignored?: string[];
  /** unknown=INCLUDE: any other field is kept (PipelineJobSettingsSchema). */
  open?: boolean;
}

const str: Field = { kind: 'str' };
const int: Field = { kind: 'int' };
const float: Field = { kind: 'float' };
const bool: Field = { kind: 'bool' };
const primitive: Field = { kind: 'primitive' };
const strMap: Field = { kind: 'map', values: str };
const enumOf = (...values: string[]): Field => ({ kind: 'enum', values });
const obj = (schemaClass: string, fields: Record<string, Field>, o: Omit<ObjectField, 'kind' | 'schemaClass' | 'fields'> = {}): ObjectField => ({
  kind: 'object', schemaClass, fields, ...o,
});

// --- _schema/core/resource.py ResourceSchema + job/base_job.py BaseJobSchema ----------------------------
const identity: Field = {
  kind: 'tagged',
  describe: 'an identity (managed, aml_token or user_identity)',
  variants: {
    managed: obj('ManagedIdentitySchema', { type: str, client_id: str, object_id: str, msi_resource_id: str }, { required: ['type'] }),
    managed_identity: obj('ManagedIdentitySchema', { type: str, client_id: str, object_id: str, msi_resource_id: str }, { required: ['type'] }),
    aml_token: obj('AMLTokenIdentitySchema', { type: str }, { required: ['type'] }),
    user_identity: obj('UserIdentitySchema', { type: str }, { required: ['type'] }),
  },
};
// nodes: JobService._validate_nodes accepts only 'all'
const jobService = obj('JobServiceSchema', { job_service_type: str, port: int, nodes: enumOf('all'), properties: { kind: 'map', values: { kind: 'any' } } }, { ignored: ['endpoint', 'status', 'error_message'] });

const baseJobFields: Record<string, Field> = {
  $schema: str,
  name: str,
  display_name: str,
  experiment_name: str,
  description: str,
  tags: strMap,
  properties: strMap,
  compute: str,
  identity,
  services: { kind: 'map', values: jobService },
};
const baseJobIgnored = ['id', 'status', 'creation_context', 'log_files'];

// --- job/input_output_entry.py ---------------------------------------------------------------------------
const inputModes = ['download', 'ro_mount', 'direct'];
/** InputsField: DataInputSchema | ModelInputSchema | MLTableInputSchema | InputLiteralValueSchema | PrimitiveValueField. */
export const jobInput: Field = {
  kind: 'union',
  describe: 'an input (a literal value, or a mapping with type and path)',
  options: [
    primitive,
    {
      kind: 'tagged',
      describe: 'an input type (uri_file, uri_folder, mltable, custom_model, mlflow_model, triton_model)',
      defaultVariant: 'uri_folder',
      variants: {
        uri_file: obj('DataInputSchema', { type: str, path: str, mode: enumOf(...inputModes), datastore: str }),
        uri_folder: obj('DataInputSchema', { type: str, path: str, mode: enumOf(...inputModes), datastore: str }),
        mltable: obj('MLTableInputSchema', { type: str, path: str, mode: enumOf(...inputModes, 'eval_mount', 'eval_download'), datastore: str }),
        custom_model: obj('ModelInputSchema', { type: str, path: str, mode: enumOf(...inputModes), datastore: str }),
        mlflow_model: obj('ModelInputSchema', { type: str, path: str, mode: enumOf(...inputModes), datastore: str }),
        triton_model: obj('ModelInputSchema', { type: str, path: str, mode: enumOf(...inputModes), datastore: str }),
        // InputLiteralValueSchema: `{value: …}` (no type)
      },
    },
  ],
};
export const literalInputObject = obj('InputLiteralValueSchema', { value: primitive });
/** OutputsField: OutputSchema (allow_none). */
export const jobOutput = obj('OutputSchema', {
  type: enumOf('uri_file', 'uri_folder', 'custom_model', 'mlflow_model', 'mltable', 'triton_model'),
  mode: enumOf('mount', 'upload', 'rw_mount', 'direct'),
  path: str,
});

// --- assets/environment.py AnonymousEnvironmentSchema (name and version are dropped with a warning) ------
export const anonymousEnvironment = obj('AnonymousEnvironmentSchema', {
  image: str,
  conda_file: { kind: 'any' },
  build: obj('BuildContextSchema', { path: str, dockerfile_path: str }),
  inference_config: { kind: 'map', values: { kind: 'any' } },
  os_type: enumOf('linux', 'windows'),
  datastore: str,
  description: str,
  tags: strMap,
  properties: strMap,
}, { ignored: ['name', 'version', 'id', 'creation_context', 'latest_version'] });
const environment: Field = { kind: 'union', describe: "an environment ('azureml:<name>:<version>', 'azureml:<name>@latest', a registry id, or a mapping with image and conda_file)", options: [str, anonymousEnvironment] };

// --- job/distribution.py (DistributionField) -----------------------------------------------------------
const distribution: Field = {
  kind: 'tagged',
  describe: 'a distribution (pytorch, mpi, tensorflow)',
  variants: {
    pytorch: obj('PyTorchDistributionSchema', { type: str, process_count_per_instance: int }, { required: ['type'] }),
    mpi: obj('MPIDistributionSchema', { type: str, process_count_per_instance: int }, { required: ['type'] }),
    tensorflow: obj('TensorFlowDistributionSchema', { type: str, parameter_server_count: int, worker_count: int }, { required: ['type'] }),
  },
};

// --- job_resource_configuration.py JobResourceConfigurationSchema ---------------------------------------
const resources = obj('JobResourceConfigurationSchema', {
  instance_count: int, instance_type: str, properties: { kind: 'map', values: { kind: 'any' } }, shm_size: str, docker_args: str,
});

// --- job/parameterized_command.py ParameterizedCommandSchema ---------------------------------------------
const parameterizedCommandFields: Record<string, Field> = {
  command: str,
  code: str,
  environment,
  environment_variables: strMap,
  resources,
  distribution,
};

// --- job/command_job.py CommandJobSchema -----------------------------------------------------------------
export const commandJob = obj('CommandJobSchema', {
  ...baseJobFields,
  ...parameterizedCommandFields,
  type: enumOf('command'),
  limits: obj('CommandJobLimitsSchema', { timeout: int }),
  inputs: { kind: 'map', values: jobInput },
  outputs: { kind: 'map', values: jobOutput, nullable: true },
}, { required: ['command', 'environment', 'compute'], ignored: [...baseJobIgnored, 'parameters'] });

// --- _sweep/search_space/*.py (SearchSpaceField) ---------------------------------------------------------
const num: Field = { kind: 'float' };
const searchSpaceDistributions: Record<string, ObjectField> = {
  choice: obj('ChoiceSchema', { type: str, values: { kind: 'list', items: { kind: 'any' } } }, { required: ['type'] }),
  uniform: obj('UniformSchema', { type: str, min_value: num, max_value: num }, { required: ['type', 'min_value', 'max_value'] }),
  loguniform: obj('UniformSchema', { type: str, min_value: num, max_value: num }, { required: ['type', 'min_value', 'max_value'] }),
  quniform: obj('QUniformSchema', { type: str, min_value: num, max_value: num, q: num }, { required: ['type', 'min_value', 'max_value', 'q'] }),
  qloguniform: obj('QUniformSchema', { type: str, min_value: num, max_value: num, q: num }, { required: ['type', 'min_value', 'max_value', 'q'] }),
  normal: obj('NormalSchema', { type: str, mu: num, sigma: num }, { required: ['type', 'mu', 'sigma'] }),
  lognormal: obj('NormalSchema', { type: str, mu: num, sigma: num }, { required: ['type', 'mu', 'sigma'] }),
  qnormal: obj('QNormalSchema', { type: str, mu: num, sigma: num, q: num }, { required: ['type', 'mu', 'sigma', 'q'] }),
  qlognormal: obj('QNormalSchema', { type: str, mu: num, sigma: num, q: num }, { required: ['type', 'mu', 'sigma', 'q'] }),
  randint: obj('RandintSchema', { type: str, upper: int }, { required: ['type', 'upper'] }),
};
export const SEARCH_SPACE_TYPES = Object.keys(searchSpaceDistributions);
const searchSpaceEntry: Field = { kind: 'tagged', describe: `a search space distribution (${SEARCH_SPACE_TYPES.join(', ')})`, variants: searchSpaceDistributions };

// --- _sweep/sweep_fields_provider.py, sweep_sampling_algorithm.py, sweep_termination.py, sweep_objective.py
const samplingAlgorithm: Field = {
  kind: 'union',
  describe: 'a sampling algorithm (random, grid, bayesian)',
  options: [
    enumOf('random', 'grid', 'bayesian'),
    {
      kind: 'tagged',
      describe: 'a sampling algorithm (random, grid, bayesian)',
      variants: {
        random: obj('RandomSamplingAlgorithmSchema', { type: str, seed: int, rule: enumOf('random', 'sobol') }, { required: ['type'] }),
        grid: obj('GridSamplingAlgorithmSchema', { type: str }, { required: ['type'] }),
        bayesian: obj('BayesianSamplingAlgorithmSchema', { type: str }, { required: ['type'] }),
      },
    },
  ],
};
const earlyTerminationCommon = { evaluation_interval: int, delay_evaluation: int };
const earlyTermination: Field = {
  kind: 'tagged',
  describe: 'an early termination policy (bandit, median_stopping, truncation_selection)',
  variants: {
    bandit: obj('BanditPolicySchema', { type: str, ...earlyTerminationCommon, slack_factor: float, slack_amount: float }, { required: ['type'] }),
    median_stopping: obj('MedianStoppingPolicySchema', { type: str, ...earlyTerminationCommon }, { required: ['type'] }),
    truncation_selection: obj('TruncationSelectionPolicySchema', { type: str, ...earlyTerminationCommon, truncation_percentage: int }, { required: ['type', 'truncation_percentage'] }),
  },
};
const objective = obj('SweepObjectiveSchema', { goal: enumOf('minimize', 'maximize'), primary_metric: str }, { required: ['goal', 'primary_metric'] });
const sweepLimits = obj('SweepJobLimitsSchema', { max_concurrent_trials: int, max_total_trials: int, timeout: int, trial_timeout: int }, { required: ['max_total_trials'] });
const parameterizedSweepFields: Record<string, Field> = {
  sampling_algorithm: samplingAlgorithm,
  search_space: { kind: 'map', values: searchSpaceEntry },
  objective,
  early_termination: earlyTermination,
  limits: sweepLimits,
};

// --- _sweep/sweep_job.py SweepJobSchema (trial = ParameterizedCommandSchema) -------------------------------
export const sweepJob = obj('SweepJobSchema', {
  ...baseJobFields,
  ...parameterizedSweepFields,
  type: enumOf('sweep'),
  trial: obj('ParameterizedCommandSchema', { $schema: str, ...parameterizedCommandFields }, { required: ['command', 'environment'] }),
  inputs: { kind: 'map', values: jobInput },
  outputs: { kind: 'map', values: jobOutput, nullable: true },
}, { required: ['type', 'trial', 'objective', 'limits', 'compute'], ignored: baseJobIgnored });

// --- component/command_component.py CommandComponentSchema + component/input_output.py -----------------------
const componentInputTypes = ['uri_file', 'uri_folder', 'mltable', 'custom_model', 'mlflow_model', 'triton_model', 'mlflow_model', 'integer', 'number', 'string', 'boolean'];
export const componentInput = obj('InputPortSchema | ParameterSchema', {
  type: enumOf(...componentInputTypes),
  description: str,
  optional: bool,
  default: primitive,
  min: primitive,
  max: primitive,
  enum: { kind: 'list', items: primitive },
  mode: enumOf('ro_mount', 'download', 'direct', 'eval_mount', 'eval_download', 'rw_mount', 'upload'),
}, { required: ['type'] });
export const componentOutput = obj('OutputPortSchema', {
  type: enumOf('uri_file', 'uri_folder', 'mltable', 'custom_model', 'mlflow_model', 'triton_model'),
  description: str,
  mode: enumOf('mount', 'upload', 'rw_mount', 'direct'),
}, { required: ['type'] });
const commandComponentFields: Record<string, Field> = {
  $schema: str,
  name: str,
  version: str,
  display_name: str,
  description: str,
  tags: strMap,
  type: enumOf('command'),
  is_deterministic: bool,
  inputs: { kind: 'map', values: componentInput },
  outputs: { kind: 'map', values: componentOutput },
  ...parameterizedCommandFields,
};
/** A component file (`component: ./train.yml`), CommandComponentSchema. */
export const commandComponent = obj('CommandComponentSchema', commandComponentFields, { required: ['command', 'environment'], ignored: ['id', 'creation_context', 'latest_version'] });
/** An inline `component:` mapping, AnonymousCommandComponentSchema (name and version dropped). */
export const anonymousCommandComponent = obj('AnonymousCommandComponentSchema', commandComponentFields, { required: ['command', 'environment'], ignored: ['id', 'creation_context', 'latest_version'] });

// --- pipeline/component_job.py CommandSchema / SweepSchema, pipeline/pipeline_command_job.py -------------
/** Node inputs/outputs may bind to `${{parent…}}` (BaseNodeSchema). */
const nodeOutput: Field = { kind: 'union', describe: "an output binding ('${{parent.outputs.<name>}}') or an output mapping", options: [str, jobOutput] };
const baseNodeFields: Record<string, Field> = {
  $schema: str,
  inputs: { kind: 'map', values: jobInput },
  outputs: { kind: 'map', values: nodeOutput, nullable: true },
  properties: strMap,
  comment: str,
  name: str,
  display_name: str,
  description: str,
  tags: strMap,
  experiment_name: str,
  compute: str,
};
export const commandStep = obj('CommandSchema / PipelineCommandJobSchema', {
  ...baseNodeFields,
  ...parameterizedCommandFields,
  type: enumOf('command'),
  component: { kind: 'union', describe: "a component ('./file.yml', 'azureml:<name>:<version>' or a mapping)", options: [str, anonymousCommandComponent] },
  limits: obj('CommandJobLimitsSchema', { timeout: int }),
  identity,
  services: { kind: 'map', values: jobService },
}, { ignored: ['id', 'status', 'creation_context', 'log_files', 'parameters'] });
export const sweepStep = obj('SweepSchema', {
  ...baseNodeFields,
  ...parameterizedSweepFields,
  type: enumOf('sweep'),
  trial: { kind: 'union', describe: "a component ('./file.yml', 'azureml:<name>:<version>' or a mapping)", options: [str, anonymousCommandComponent] },
}, { required: ['trial', 'objective', 'limits'], ignored: ['id', 'status', 'creation_context'] });

// --- pipeline/pipeline_job.py PipelineJobSchema, pipeline/settings.py PipelineJobSettingsSchema -------------
export const pipelineSettings = obj('PipelineJobSettingsSchema', {
  default_datastore: { kind: 'armStr' }, default_compute: { kind: 'armStr' }, continue_on_step_failure: bool, force_rerun: bool,
}, { open: true });
/** Step types the official PipelineJobsField knows; only command and sweep steps are run by TrainModel. */
export const PIPELINE_STEP_TYPES = ['command', 'sweep', 'parallel', 'pipeline', 'automl', 'spark', 'import'];
export const pipelineJob = obj('PipelineJobSchema', {
  ...baseJobFields,
  type: enumOf('pipeline'),
  settings: pipelineSettings,
  inputs: { kind: 'map', values: jobInput },
  outputs: { kind: 'map', values: jobOutput, nullable: true },
  jobs: { kind: 'map', values: { kind: 'tagged', describe: 'a step type (command, sweep)', variants: { command: commandStep, sweep: sweepStep } } },
  component: str,
}, { required: ['type'], ignored: baseJobIgnored });

export type JobType = 'command' | 'sweep' | 'pipeline';
export const JOB_SCHEMAS: Record<JobType, ObjectField> = { command: commandJob, sweep: sweepJob, pipeline: pipelineJob };
/** Job types the official client knows (azure.ai.ml.constants JobType) that TrainModel does not run. */
export const OTHER_JOB_TYPES = ['automl', 'spark', 'parallel', 'import', 'base', 'finetuning', 'distillation'];
