// Log rows read from DuckDB straight into the parts of their wire form: text comes out as UTF-8 bytes and is never made into strings.
import { DuckDBMapValue, type DuckDBBlobVector, type DuckDBConnection, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import { levelNumberOfStored } from '../../common/enums.js';
import type { LogRecordBytes } from '../../common/wire/log-page.js';
import type { EventFilterSpec } from '../../common/read-protocol.js';

// Text as BLOB (`encode`, which copies the bytes as they are; a cast would read escapes): a blob
// vector hands out a value's bytes, a VARCHAR vector only a decoded string, which the page's
// encoding would turn back into bytes. An empty map as NULL: reading a map value builds objects
// even for an empty one, a large part of a page of records without attributes. Each SELECT
// item's position is its index in the chunk.
const COLUMNS = [
  'seq::DOUBLE', 'idx', 'epoch_us(ingest_time)', 'epoch_us(time)', 'level', 'encode(task_name)', 'encode(task_instance_id)',
  'encode(message)', 'CASE WHEN cardinality(attributes) > 0 THEN attributes END', 'encode(trace_id)', 'encode(span_id)',
];
const [SEQ, IDX, INGEST, TIME, LEVEL, TASK, INSTANCE, MESSAGE, ATTRIBUTES, TRACE, SPAN] = COLUMNS.keys();
// Up to 12 bytes a value lies inside the vector, and the bytes are a view of it: copied, so that
// they outlive the chunk. Longer ones come out copied already.
const INLINE_BYTES = 12;

/**
 * The logs the statement `FROM logs <rest>` selects, in its order. The ids the filter fixes are
 * not read: every row holds the filter's value, and reading 1,000 copies of it costs.
 */
export async function selectLogRecords(
  connection: DuckDBConnection,
  filter: EventFilterSpec,
  rest: string,
  values: DuckDBValue[],
): Promise<LogRecordBytes[]> {
  const fixedWorkflow = filter.workflowId ? Buffer.from(filter.workflowId) : undefined;
  const fixedRun = filter.runId ? Buffer.from(filter.runId) : undefined;
  const ids = [...(fixedWorkflow ? [] : ['encode(workflow_id)']), ...(fixedRun ? [] : ['encode(run_id)'])];
  const result = await connection.run(`SELECT ${[...COLUMNS, ...ids].join(', ')} FROM logs ${rest}`, values);
  const records: LogRecordBytes[] = [];
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const count = chunk.rowCount;
    const column = (index: number) => chunk.getColumnVector(index);
    const bytes = (index: number) => {
      const vector = column(index) as DuckDBBlobVector;
      return (row: number) => {
        const value = vector.getItemBytes(row)!;
        return value.length <= INLINE_BYTES ? value.slice() : value;
      };
    };
    const [seq, idx, ingest, time, level, attributes] = [SEQ, IDX, INGEST, TIME, LEVEL, ATTRIBUTES].map(column) as DuckDBVector[];
    const [task, instance, message, trace, span] = [TASK, INSTANCE, MESSAGE, TRACE, SPAN].map(bytes);
    const workflow = fixedWorkflow ? () => fixedWorkflow : bytes(COLUMNS.length);
    const run = fixedRun ? () => fixedRun : bytes(COLUMNS.length + (fixedWorkflow ? 0 : 1));
    for (let row = 0; row < count; row++) {
      records.push({
        seq: seq.getItem(row) as number,
        idx: idx.getItem(row) as number,
        ingestMicros: ingest.getItem(row) as bigint,
        timeMicros: time.getItem(row) as bigint,
        workflowId: workflow(row),
        runId: run(row),
        taskName: task(row),
        taskInstanceId: instance(row),
        level: levelNumberOfStored(level.getItem(row) as string),
        message: message(row),
        attributes: entries(attributes.getItem(row)),
        traceId: trace(row),
        spanId: span(row),
      });
    }
  }
  return records;
}

function entries(map: DuckDBValue): [Uint8Array, Uint8Array][] {
  if (!(map instanceof DuckDBMapValue)) return [];
  return map.entries.map(({ key, value }) => [Buffer.from(String(key)), Buffer.from(String(value))]);
}
