// CreateImage L0 scenario: a service connection id the job has no endpoint for.
import { runCreateImageScenario } from './common';

runCreateImageScenario({ azureSubscription: 'conn-missing' });
