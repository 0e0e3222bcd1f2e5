export * from './base.js';

import { PostAuthenticationEventSchema } from '../src/schemas/cognito.js';
export const s = PostAuthenticationEventSchema;
