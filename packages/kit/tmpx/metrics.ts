export * from './base.js';

import { Metrics } from '@aws-lambda-powertools/metrics';
export const metrics = new Metrics({ namespace: 'A' });
