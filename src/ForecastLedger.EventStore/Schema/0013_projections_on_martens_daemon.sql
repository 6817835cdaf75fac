-- 0013: the ledger's asynchronous projections run on Marten's daemon (docs/adr/0027).

-- 1. The event a projection stopped on: written by the node that met it, read by every node (readiness, admin status),
--    cleared when a page holding that event commits or a rebuild succeeds.
CREATE TABLE __SCHEMA__.projection_stops (
    name       text        PRIMARY KEY,
    seq_id     bigint      NOT NULL,
    error      text        NOT NULL,
    stopped_at timestamptz NOT NULL
);

-- 2. An existing ledger's projections go on where the home-made daemon left them, not from zero: each progress row
--    becomes the shard's row in Marten's progression table. Every event up to it was applied in the transaction that
--    moved it, so the shard's next page starts right after it.
INSERT INTO __SCHEMA__.mt_event_progression (name, last_seq_id, last_updated)
SELECT name || ':All', last_seq_id, COALESCE(last_updated, now())
FROM __SCHEMA__.projection_progress
WHERE last_seq_id > 0
ON CONFLICT (name) DO UPDATE SET last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated;

INSERT INTO __SCHEMA__.projection_stops (name, seq_id, error, stopped_at)
SELECT name, error_seq_id, COALESCE(error, 'stopped'), COALESCE(last_updated, now())
FROM __SCHEMA__.projection_progress
WHERE status = 'stopped' AND error_seq_id IS NOT NULL;

-- 3. What only the home-made daemon used: its progress rows (now in mt_event_progression and projection_stops) and
--    the dead seq ranges it recorded (Marten's daemon keeps the ranges it skips in its own table).
DROP TABLE __SCHEMA__.projection_progress;
DROP TABLE __SCHEMA__.dead_gaps;
