// Expected error paths must not print their logs (or their EMF metrics) in a passing run.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
