// The rule for ids (workflow, run, task, node): what ingest accepts and what readers may ask for.
export const MAX_ID_BYTES = 256;
// C0 and C1 control characters, DEL, and the replacement character a bad UTF-8 decode leaves.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\ufffd]/;

/** What is wrong with an id, or null when it is fine. */
export function idProblem(value: string): string | null {
  if (value === '') return 'must not be empty';
  if (Buffer.byteLength(value, 'utf8') > MAX_ID_BYTES) return `longer than ${MAX_ID_BYTES} bytes`;
  if (CONTROL_CHARACTERS.test(value)) return 'must not contain control characters or invalid UTF-8';
  return null;
}
