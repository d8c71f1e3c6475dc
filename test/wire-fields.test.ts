// The hand-written wire code takes its field numbers from the contract: a renumbered field is followed, a retyped one refused.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PROTO_DIR, loadProtoRoot } from '../services/common/proto.js';
import { WIRE_FIELDS, WIRE_PROTO_FILES, wireFieldsOf } from '../services/common/wire/fields.js';
import { FIELD, LogEventScanner } from '../services/common/wire/log-event-scan.js';

const EVENTS_PROTO = 'runlog/v1/events.proto';

/** A copy of the contract with `edit` applied to events.proto. */
function alteredContract(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runlog-proto-'));
  cpSync(PROTO_DIR, dir, { recursive: true });
  const file = join(dir, EVENTS_PROTO);
  const text = readFileSync(file, 'utf8');
  const edited = edit(text);
  assert.notEqual(edited, text, 'the edit must change the contract');
  writeFileSync(file, edited);
  return dir;
}

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('wire field numbers', () => {
  test('are the ones the contract in proto/ declares', () => {
    const root = loadProtoRoot(WIRE_PROTO_FILES);
    assert.equal(WIRE_FIELDS.logRecord.message, root.lookupType('runlog.v1.LogRecord').fields.message.id);
    assert.equal(WIRE_FIELDS.event.log, root.lookupType('runlog.v1.Event').fields.log.id);
    assert.equal(WIRE_FIELDS.eventBatch.events, root.lookupType('runlog.v1.EventBatch').fields.events.id);
    assert.equal(WIRE_FIELDS.appendRequest.events, root.lookupType('runlog.v1.AppendRequest').fields.events.id);
  });

  test('a renumbered field is read at its new number, never at the old one', () => {
    const dir = alteredContract((text) => text.replace('string message = 5;', 'string message = 9;').replace('string run_id = 2;', 'string run_id = 3;'));
    dirs.push(dir);
    const root = loadProtoRoot(WIRE_PROTO_FILES, dir);
    const eventType = root.lookupType('runlog.v1.Event');
    const bytes = eventType.encode(eventType.fromObject({ workflowId: 'wf', runId: 'r1', log: { level: 3, message: 'moved' } })).finish();

    const scanner = new LogEventScanner(wireFieldsOf(root));
    assert.equal(scanner.scan(bytes, 0, bytes.length), true);
    const text = (at: number) => Buffer.from(bytes).toString('utf8', scanner.fields[at], scanner.fields[at + 1]);
    assert.equal(text(FIELD.message), 'moved');
    assert.equal(text(FIELD.runId), 'r1');

    // Built for the contract in proto/, the scanner meets unknown field numbers: it gives the
    // event up to protobufjs rather than read a field as another.
    const current = new LogEventScanner();
    assert.equal(current.scan(bytes, 0, bytes.length), false);
  });

  test('a field given another type stops the wire code from loading', () => {
    const dir = alteredContract((text) => text.replace('string message = 5;', 'int64 message = 5;'));
    dirs.push(dir);
    assert.throws(() => wireFieldsOf(loadProtoRoot(WIRE_PROTO_FILES, dir)), /runlog\.v1\.LogRecord\.message: the wire code reads it as string, the contract says int64/);
  });

  test('a field removed stops the wire code from loading', () => {
    const dir = alteredContract((text) => text.replace(/\n\s*string span_id = 8;/, ''));
    dirs.push(dir);
    assert.throws(() => wireFieldsOf(loadProtoRoot(WIRE_PROTO_FILES, dir)), /runlog\.v1\.LogRecord\.spanId: the wire code reads this field, and the contract has none/);
  });
});
