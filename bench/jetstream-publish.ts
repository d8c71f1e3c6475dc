// Baseline figure: raw JetStream publish rate from one Node process, messages shaped as ingest publishes them.
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { loadConfig } from '../services/common/config.js';
import { ensureStream, STREAM_SPEC } from '../services/common/stream.js';
import { Subjects } from '../services/common/subjects.js';
import { BENCH_STREAM_BYTES, contentionWarnings, cpuMeter, envNumber, round, type FigureScript } from './harness.js';
import { encodeEventBatch, logEvents } from './workload.js';

export const JETSTREAM_PUBLISH = 'write.jetstream_publish';

const STREAM = 'BENCH_RAW_PUBLISH';
// Distinct payloads cycled through, so the server does not see one message over and over.
const PAYLOADS = 16;

export const jetstreamPublish: FigureScript = {
  name: 'jetstream-publish',
  issue: 2,
  async measure(context) {
    const seconds = envNumber('BENCH_JETSTREAM_SECONDS', 6);
    const eventsPerMessage = envNumber('BENCH_BATCH_EVENTS', 1000);
    // Publishes awaiting their ack at once: as many as ingest has in flight for one busy AppendStream.
    const window = envNumber('BENCH_JETSTREAM_WINDOW', 32);
    const nc = await connect({ servers: await context.natsUrl() });
    try {
      const subjects = new Subjects('benchraw', 1);
      // The stream settings ingest uses by default (an empty environment gives the defaults), with a benchmark's room.
      await ensureStream(nc, subjects, { ...loadConfig(STREAM_SPEC, { RUNLOG_STREAM_MAX_BYTES: BENCH_STREAM_BYTES }), streamName: STREAM });
      const subject = subjects.events('bench-wf-0');
      const payloads = Array.from({ length: PAYLOADS }, (_, i) => encodeEventBatch(logEvents('bench-wf-0', eventsPerMessage, i)));
      const js = jetstream(nc, { timeout: 10_000 });
      context.progress(`raw JetStream publish for ${seconds}s, ${eventsPerMessage} events (${payloads[0].length} bytes) per message, ${window} in flight`);

      // Headers as ingest sets them: a Nats-Msg-Id for de-duplication and the expected stream.
      let sent = 0;
      let acked = 0;
      const meter = cpuMeter({ 'nats-server': context.natsProcess()?.child.pid });
      const startedAt = performance.now();
      const deadline = startedAt + seconds * 1000;
      const publishLoop = async () => {
        while (performance.now() < deadline) {
          const n = sent++;
          await js.publish(subject, payloads[n % PAYLOADS], { msgID: `raw-${n}`, expect: { streamName: STREAM } });
          acked++;
        }
      };
      await Promise.all(Array.from({ length: window }, publishLoop));
      const elapsedSeconds = (performance.now() - startedAt) / 1000;
      const cores = meter.stop();
      const messagesPerSecond = acked / elapsedSeconds;
      return [
        {
          id: JETSTREAM_PUBLISH,
          title: `raw JetStream publish (baseline, ${eventsPerMessage} records/message)`,
          value: round(messagesPerSecond * eventsPerMessage),
          unit: 'records/s',
          details: {
            messages_per_s: round(messagesPerSecond),
            megabytes_per_s: round((messagesPerSecond * payloads[0].length) / 1e6, 1),
            message_bytes: payloads[0].length,
            window,
            cores_used: cores,
          },
          notes: [`${Math.round(messagesPerSecond).toLocaleString('en-US')} messages/s of ${payloads[0].length.toLocaleString('en-US')} bytes, ${window} publishes awaiting their ack at any time`],
          warnings: contentionWarnings(cores),
        },
      ];
    } finally {
      await (await jetstreamManager(nc)).streams.delete(STREAM).catch(() => false);
      await nc.close();
    }
  },
};
