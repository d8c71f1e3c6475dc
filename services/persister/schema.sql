-- runlog partition store: one DuckDB file per partition, insert-only tables.
-- Every event row carries its position (seq = JetStream stream sequence of the message,
-- idx = index of the event inside that message): (seq, idx) orders a partition totally.
-- Times are TIMESTAMPTZ; `time` is the agent's clock (ingest time when the agent sent none),
-- `ingest_time` is when the JetStream stream accepted the event.

CREATE TABLE IF NOT EXISTS runs (
  seq            UBIGINT     NOT NULL,
  idx            UINTEGER    NOT NULL,
  workflow_id    VARCHAR     NOT NULL,
  run_id         VARCHAR     NOT NULL,
  workflow_name  VARCHAR     NOT NULL,
  tags           MAP(VARCHAR, VARCHAR) NOT NULL,
  parameters     VARCHAR,              -- JSON object text, NULL when not given
  config         VARCHAR,              -- JSON object text, NULL when not given
  dag_hash       VARCHAR     NOT NULL,
  node_ids       VARCHAR[]   NOT NULL,
  parent_run_id  VARCHAR,              -- set for forks
  fork_step      BIGINT,               -- set for forks: last parent step the fork shares
  time           TIMESTAMPTZ NOT NULL,
  ingest_time    TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS logs (
  seq              UBIGINT     NOT NULL,
  idx              UINTEGER    NOT NULL,
  workflow_id      VARCHAR     NOT NULL,
  run_id           VARCHAR     NOT NULL,
  task_name        VARCHAR     NOT NULL,
  task_instance_id VARCHAR     NOT NULL,
  time             TIMESTAMPTZ NOT NULL,
  level            VARCHAR     NOT NULL, -- TRACE, DEBUG, INFO, WARN, ERROR, FATAL
  message          VARCHAR     NOT NULL,
  attributes       MAP(VARCHAR, VARCHAR) NOT NULL,
  trace_id         VARCHAR     NOT NULL,
  span_id          VARCHAR     NOT NULL,
  ingest_time      TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS run_status (
  seq         UBIGINT     NOT NULL,
  idx         UINTEGER    NOT NULL,
  workflow_id VARCHAR     NOT NULL,
  run_id      VARCHAR     NOT NULL,
  status      VARCHAR     NOT NULL, -- PENDING, RUNNING, WAITING, COMPLETED, FAILED, CRASHED, CANCELLED
  time        TIMESTAMPTZ NOT NULL,
  reason      VARCHAR     NOT NULL,
  ingest_time TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS task_status (
  seq              UBIGINT     NOT NULL,
  idx              UINTEGER    NOT NULL,
  workflow_id      VARCHAR     NOT NULL,
  run_id           VARCHAR     NOT NULL,
  task_name        VARCHAR     NOT NULL,
  task_instance_id VARCHAR     NOT NULL,
  attempt          UINTEGER    NOT NULL,
  status           VARCHAR     NOT NULL, -- as run_status, plus SKIPPED
  time             TIMESTAMPTZ NOT NULL,
  reason           VARCHAR     NOT NULL,
  ingest_time      TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS steps (
  seq                UBIGINT     NOT NULL,
  idx                UINTEGER    NOT NULL,
  workflow_id        VARCHAR     NOT NULL,
  run_id             VARCHAR     NOT NULL,
  step               BIGINT      NOT NULL,
  node_id            VARCHAR     NOT NULL,
  state              VARCHAR     NOT NULL, -- the engine's state after the step, JSON text
  awaiting_input     BOOLEAN     NOT NULL,
  next_node_ids      VARCHAR[]   NOT NULL,
  processed_node_ids VARCHAR[]   NOT NULL,
  waiting_node_ids   VARCHAR[]   NOT NULL,
  time               TIMESTAMPTZ NOT NULL,
  ingest_time        TIMESTAMPTZ NOT NULL
);

-- One row per committed batch; the partition's watermark is max(seq). Written in the same
-- transaction as the batch's rows, so rows and watermark never disagree.
CREATE TABLE IF NOT EXISTS applied (
  seq        UBIGINT     NOT NULL, -- highest stream sequence in the batch
  events     UINTEGER    NOT NULL, -- events in the batch
  applied_at TIMESTAMPTZ NOT NULL
);

-- Where each run's events lie in the stream: one row per run per batch. Reads of one run or
-- workflow narrow their scan to [first_seq, last_seq], which DuckDB's zone maps on seq turn
-- into skipped row groups: an index that costs one small append per batch, not per row.
CREATE TABLE IF NOT EXISTS run_extents (
  workflow_id VARCHAR  NOT NULL,
  run_id      VARCHAR  NOT NULL,
  first_seq   UBIGINT  NOT NULL,
  last_seq    UBIGINT  NOT NULL,
  events      UINTEGER NOT NULL
);

-- Latest status of each run: the status row with the highest position.
CREATE OR REPLACE VIEW run_current_status AS
  SELECT workflow_id, run_id,
         arg_max(status, (seq, idx)) AS status,
         arg_max(time, (seq, idx))   AS time,
         arg_max(reason, (seq, idx)) AS reason
  FROM run_status GROUP BY workflow_id, run_id;

-- Latest status of each task instance of each run.
CREATE OR REPLACE VIEW task_current_status AS
  SELECT workflow_id, run_id, task_name, task_instance_id,
         arg_max(status, (seq, idx))  AS status,
         arg_max(attempt, (seq, idx)) AS attempt,
         arg_max(time, (seq, idx))    AS time,
         arg_max(reason, (seq, idx))  AS reason
  FROM task_status GROUP BY workflow_id, run_id, task_name, task_instance_id;
