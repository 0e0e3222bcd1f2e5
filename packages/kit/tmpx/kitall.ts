export { handler } from '../../../infra/bench/kit-handler.js';
