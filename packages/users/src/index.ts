/** @authwatch/users: the library behind `authwatch-users`. */
export * from './backup.js';
export * from './backup-file.js';
export * from './cli.js';
export * from './errors.js';
export * from './export.js';
export * from './import-csv.js';
export * from './import-job.js';
export * from './pool-reader.js';
export * from './quotas.js';
export * from './restore.js';
export * from './target.js';
export * from './throttle.js';
export * from './user-record.js';
export * from './validate.js';
