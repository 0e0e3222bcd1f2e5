export * from './answer.js';
export * from './athena-engine.js';
export * from './config.js';
export * from './create.js';
export * from './duckdb-engine.js';
export * from './engine.js';
export * from './params.js';
export * from './sql.js';
