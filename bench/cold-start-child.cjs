// One Lambda cold start: a fresh Node process loads the bundled handlers and answers one event.
// The event arrives in COLD_START_EVENT; the answer and the process's own timings go to stdout.
const loadStarted = performance.now();
const handlers = require('../dist/lambda/index.js');
const loadedAt = performance.now();
const event = JSON.parse(process.env.COLD_START_EVENT ?? '{}');
handlers
  .http(event)
  .then((answer) => {
    const answeredAt = performance.now();
    process.stdout.write(
      `${JSON.stringify({ status: answer.statusCode, body: answer.body, loadMs: loadedAt - loadStarted, handlerMs: answeredAt - loadedAt })}\n`,
    );
    process.exit(0);
  })
  .catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
