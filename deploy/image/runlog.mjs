// The image's entrypoint: `runlog <service>` runs that service's compiled main; the services drain on SIGTERM themselves.
const SERVICES = ['ingest', 'persister', 'query'];

const service = process.argv[2];
if (!SERVICES.includes(service)) {
  process.stderr.write(`usage: runlog <${SERVICES.join('|')}>  (got ${service === undefined ? 'nothing' : JSON.stringify(service)})\n`);
  process.exit(64); // EX_USAGE
}
await import(`./services/${service}/main.js`);
