process.env.LAMBDA_TASK_ROOT = '/tmp/detb/out';
Object.assign(process.env, {
  DETECT_RULES_FILE: 'detection-rules.yaml',
  DETECT_ATHENA_WORKGROUP: 'wg',
  DETECT_ATHENA_DATABASE: 'db',
  DETECT_STATE_TABLE: 't',
  AUDIT_STREAM_NAME: 's',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});
const m = await import('./index.mjs');
console.log(typeof m.handler);
