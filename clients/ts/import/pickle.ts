// A restricted pickle reader: plain dicts, lists, tuples, strings, numbers, booleans and None, nothing that names Python code.
// It interprets opcodes itself and never runs a Python unpickler, so a hostile file can only be refused.
import type { Json } from '../src/convert.js';

export class UnsafePickleError extends Error {
  constructor(
    readonly file: string,
    readonly opcode: string,
    readonly position: number,
    detail: string,
  ) {
    super(`${file}: refused pickle opcode ${opcode} at byte ${position}: ${detail}; only plain data (dict, list, tuple, str, int, float, bool, None) is read, and no code is run`);
  }
}

export class PickleFormatError extends Error {}

const MARK = Symbol('mark');
type Item = Json | typeof MARK;

// Opcodes that would make the unpickler import or call something, named for the error message.
const CODE_OPCODES: Record<number, string> = {
  0x63: 'GLOBAL',
  0x93: 'STACK_GLOBAL',
  0x52: 'REDUCE',
  0x62: 'BUILD',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
};
// Plain Python values that JSON cannot hold: refused too, with their own reason.
const NON_JSON_OPCODES: Record<number, string> = {
  0x43: 'SHORT_BINBYTES',
  0x42: 'BINBYTES',
  0x8e: 'BINBYTES8',
  0x96: 'BYTEARRAY8',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

/** Reads one pickle (protocols 2–5 in their binary opcodes) into JSON; `file` names it in errors. */
export function readPickle(bytes: Uint8Array, file: string): Json {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stack: Item[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Json>();
  let pos = 0;

  const need = (n: number) => {
    if (pos + n > bytes.length) throw new PickleFormatError(`${file}: pickle ends early at byte ${pos}`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const value = view.getBigUint64(pos, true);
    pos += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleFormatError(`${file}: length too large at byte ${pos - 8}`);
    return Number(value);
  };
  const text = (n: number) => {
    need(n);
    const value = decoder.decode(bytes.subarray(pos, pos + n));
    pos += n;
    return value;
  };
  const pop = (): Json => {
    const item = stack.pop();
    if (item === undefined || item === MARK) throw new PickleFormatError(`${file}: stack underflow at byte ${pos}`);
    return item;
  };
  const top = (): Json => {
    const item = stack[stack.length - 1];
    if (item === undefined || item === MARK) throw new PickleFormatError(`${file}: empty stack at byte ${pos}`);
    return item;
  };
  const popMark = (): Json[] => {
    const at = marks.pop();
    if (at === undefined) throw new PickleFormatError(`${file}: no MARK before byte ${pos}`);
    const items = stack.splice(at) as Item[];
    items.shift(); // the mark itself
    if (items.includes(MARK)) throw new PickleFormatError(`${file}: unbalanced MARK before byte ${pos}`);
    return items as Json[];
  };
  const asDict = (value: Json, at: number): { [key: string]: Json } => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PickleFormatError(`${file}: SETITEM on a non-dict at byte ${at}`);
    return value;
  };
  const asList = (value: Json, at: number): Json[] => {
    if (!Array.isArray(value)) throw new PickleFormatError(`${file}: APPEND on a non-list at byte ${at}`);
    return value;
  };
  const key = (value: Json, at: number): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value === null ? 'null' : String(value);
    throw new PickleFormatError(`${file}: dict key at byte ${at} is not a string or number`);
  };
  const setItems = (dict: { [key: string]: Json }, items: Json[], at: number) => {
    if (items.length % 2 !== 0) throw new PickleFormatError(`${file}: odd SETITEMS at byte ${at}`);
    for (let i = 0; i < items.length; i += 2) dict[key(items[i], at)] = items[i + 1];
  };
  const number = (value: bigint, at: number): number => {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new PickleFormatError(`${file}: integer at byte ${at} exceeds 2^53`);
    return Number(value);
  };

  for (;;) {
    const at = pos;
    const op = u8();
    if (op === 0x93 && typeof stack[stack.length - 1] === 'string' && typeof stack[stack.length - 2] === 'string') {
      throw new UnsafePickleError(file, 'STACK_GLOBAL', at, `it would import ${String(stack[stack.length - 2])}.${String(stack[stack.length - 1])}`);
    }
    if (op in CODE_OPCODES) throw new UnsafePickleError(file, CODE_OPCODES[op], at, describeCode(op, bytes, pos));
    if (op in NON_JSON_OPCODES) throw new UnsafePickleError(file, NON_JSON_OPCODES[op], at, 'bytes and sets have no JSON form');
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new PickleFormatError(`${file}: pickle protocol above 5`);
        break;
      case 0x95: // FRAME: a length prefix for buffering; the opcodes inside follow as usual
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) throw new PickleFormatError(`${file}: STOP with ${stack.length} items on the stack`);
        return pop();
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({});
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x64: {
        // DICT
        const dict: { [key: string]: Json } = {};
        setItems(dict, popMark(), at);
        stack.push(dict);
        break;
      }
      case 0x6c: // LIST
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const k = pop();
        asDict(top(), at)[key(k, at)] = value;
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(asDict(top(), at), items, at);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        asList(top(), at).push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        asList(top(), at).push(...items);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = u8();
        need(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i]);
        if (n > 0 && bytes[pos + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(number(value, at));
        break;
      }
      case 0x47: // BINFLOAT: big-endian double
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) throw new PickleFormatError(`${file}: memo ${index} unset at byte ${at}`);
        stack.push(memo.get(index)!);
        break;
      }
      case 0x30: // POP
        if (stack[stack.length - 1] === MARK) marks.pop();
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        throw new UnsafePickleError(file, `0x${op.toString(16).padStart(2, '0')}`, at, 'an opcode this reader does not accept');
    }
  }
}

/** What a GLOBAL would have imported (read as text, never resolved), for the error message. */
function describeCode(op: number, bytes: Uint8Array, pos: number): string {
  if (op !== 0x63) return 'it would construct or call a Python object';
  const end = bytes.indexOf(0x0a, pos);
  const second = end < 0 ? -1 : bytes.indexOf(0x0a, end + 1);
  if (second < 0) return 'it would import a Python object';
  const decoder = new TextDecoder();
  return `it would import ${decoder.decode(bytes.subarray(pos, end))}.${decoder.decode(bytes.subarray(end + 1, second))}`;
}
