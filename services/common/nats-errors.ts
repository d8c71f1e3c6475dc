// What a NATS or JetStream failure means, named once. nats.js reports most of them as text (a
// JetStream API error's description, a publish ack's error), so the text is matched here and only here.

function messageOf(error: unknown): string {
  return String((error as Error)?.message ?? error);
}

/** A request found no subscriber on its subject: the responder is restarting or reconnecting. */
export function isNoResponders(error: unknown): boolean {
  return /no responders/i.test(messageOf(error));
}

/** A direct get of the last message on a subject found none: the subject has no message yet. */
export function isNoMessageFound(error: unknown): boolean {
  return /no message found/i.test(messageOf(error));
}

export function isStreamNotFound(error: unknown): boolean {
  return /stream not found/i.test(messageOf(error));
}

/** The server cannot reserve the storage a stream's limits ask for. */
export function isInsufficientResources(error: unknown): boolean {
  return /insufficient (storage )?resources/i.test(messageOf(error));
}

/** A publish was refused because the stream reached its limits or its store is out of space: retrying soon will not help. */
export function isStreamFull(error: unknown): boolean {
  return /maximum (bytes|messages)|insufficient resources|storage/i.test(messageOf(error));
}
