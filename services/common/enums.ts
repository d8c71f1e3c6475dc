// Log levels and statuses: their names come from the generated enums, their numbers from the contract; the tables store the short names (INFO, RUNNING).
import { LogLevel, type LogLevel__Output } from './gen/runlog/v1/LogLevel.js';
import { Status, type Status__Output } from './gen/runlog/v1/Status.js';
import { loadProtoRoot } from './proto.js';

const LEVEL_PREFIX = 'LOG_LEVEL_';
const STATUS_PREFIX = 'STATUS_';
const UNSPECIFIED_LEVEL: LogLevel__Output = LogLevel.LOG_LEVEL_UNSPECIFIED;
const UNSPECIFIED_STATUS: Status__Output = Status.STATUS_UNSPECIFIED;

/** Every log level an agent may send, least severe first (the contract orders them so). */
export const LOG_LEVELS: readonly LogLevel__Output[] = Object.values(LogLevel).filter((level) => level !== UNSPECIFIED_LEVEL);
/** Every status a task may have. */
export const TASK_STATUSES: readonly Status__Output[] = Object.values(Status).filter((status) => status !== UNSPECIFIED_STATUS);
/** Every status a run may have: a task's, but for SKIPPED (the contract's "tasks only"). */
export const RUN_STATUSES: readonly Status__Output[] = TASK_STATUSES.filter((status) => status !== Status.STATUS_SKIPPED);

/** A level as the logs table stores it: LOG_LEVEL_INFO → INFO. */
export const storedLevel = (level: string): string => level.slice(LEVEL_PREFIX.length);
/** A status as the tables store it: STATUS_RUNNING → RUNNING. */
export const storedStatus = (status: string): string => status.slice(STATUS_PREFIX.length);
/** The enum name of a stored level; UNSPECIFIED for none. */
export const levelOfStored = (stored: string): LogLevel__Output => (stored ? `${LEVEL_PREFIX}${stored}` : UNSPECIFIED_LEVEL) as LogLevel__Output;
/** The enum name of a stored status; UNSPECIFIED for none. */
export const statusOfStored = (stored: string): Status__Output => (stored ? `${STATUS_PREFIX}${stored}` : UNSPECIFIED_STATUS) as Status__Output;

/** Stored level names (TRACE…FATAL), least severe first: what a minimum level compares by. */
export const STORED_LEVELS: readonly string[] = LOG_LEVELS.map(storedLevel);

const levelNumbers = loadProtoRoot('runlog/v1/events.proto').lookupEnum('runlog.v1.LogLevel').values;
/** LogLevel's enum names by their wire number. */
export const LEVEL_BY_NUMBER: readonly LogLevel__Output[] = Object.values(LogLevel).reduce<LogLevel__Output[]>((byNumber, level) => {
  byNumber[levelNumbers[level]] = level;
  return byNumber;
}, []);
/** LogLevel's wire number of a stored level name; 0 (unspecified) for none. */
export const levelNumberOfStored = (stored: string): number => levelNumber(levelOfStored(stored));
/** LogLevel's wire number of an enum name; 0 (unspecified) for an unknown one. */
export const levelNumber = (level: string): number => levelNumbers[level] ?? 0;
