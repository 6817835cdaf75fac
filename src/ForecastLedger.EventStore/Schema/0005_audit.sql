-- Audit (issue 6, ADR 0009): the global chain, Merkle subtrees kept by the checkpoint publisher, signed checkpoints,
-- the public keys that signed them, and the publisher's status. __SCHEMA__ is the store's schema.

-- 1. The global chain: global_hash = SHA-256(global_prev || int8 big-endian seq_id || hash), global_prev = the
--    global_hash of the previous event in seq order (32 zero bytes for the first). It binds every event to its seq,
--    so a deleted, inserted or reordered event breaks the chain at a seq a verifier can name.
ALTER TABLE __SCHEMA__.events ADD COLUMN global_prev bytea, ADD COLUMN global_hash bytea;

DO $backfill$
DECLARE
    r      record;
    v_prev bytea := decode(repeat('00', 32), 'hex');
    v_hash bytea;
BEGIN
    FOR r IN SELECT seq_id, hash FROM __SCHEMA__.events ORDER BY seq_id LOOP
        v_hash := sha256(v_prev || int8send(r.seq_id) || r.hash);
        UPDATE __SCHEMA__.events SET global_prev = v_prev, global_hash = v_hash WHERE seq_id = r.seq_id;
        v_prev := v_hash;
    END LOOP;
END
$backfill$;

ALTER TABLE __SCHEMA__.events ALTER COLUMN global_prev SET NOT NULL, ALTER COLUMN global_hash SET NOT NULL;

-- The seq trigger now also extends the global chain. It runs for every insert path (the append function, batched
-- appends, imports), under the global-order lock, so the previous event is the highest committed seq or a row this
-- statement inserted before (a row-level BEFORE trigger in a volatile function sees those). Under READ COMMITTED every
-- query here takes a fresh snapshot after the lock is granted; a REPEATABLE READ or SERIALIZABLE transaction could
-- miss the event committed just before it, so it is refused rather than allowed to fork the chain.
CREATE OR REPLACE FUNCTION __SCHEMA__.assign_seq_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    v_prev bytea;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'events are appended in READ COMMITTED transactions only (the global chain reads its predecessor)'
            USING ERRCODE = '25001';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('forecastledger:seq:__SCHEMA__', 0));
    NEW.seq_id := nextval('__SCHEMA__.events_seq');
    SELECT e.global_hash INTO v_prev FROM __SCHEMA__.events e ORDER BY e.seq_id DESC LIMIT 1;
    NEW.global_prev := COALESCE(v_prev, decode(repeat('00', 32), 'hex'));
    NEW.global_hash := sha256(NEW.global_prev || int8send(NEW.seq_id) || NEW.hash);
    RETURN NEW;
END
$fn$;

-- 2. Merkle leaves and complete subtrees (RFC 9162), written by the checkpoint publisher in the transaction that
--    publishes a checkpoint, so they always cover exactly the latest checkpoint's tree. Leaf i is the i-th event in
--    seq order; leaf_hash = SHA-256(0x00 || hash). audit_nodes holds every complete subtree of level >= 1:
--    node (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level). Roots and proofs read O(log n) rows.
CREATE TABLE __SCHEMA__.audit_leaves (
    leaf_index bigint PRIMARY KEY,
    seq_id     bigint NOT NULL UNIQUE,
    leaf_hash  bytea  NOT NULL
);

CREATE TABLE __SCHEMA__.audit_nodes (
    level smallint NOT NULL,
    idx   bigint   NOT NULL,
    hash  bytea    NOT NULL,
    PRIMARY KEY (level, idx)
);

-- 3. Signed checkpoints. Append-only: a checkpoint never rewrites an earlier one.
CREATE TABLE __SCHEMA__.audit_checkpoints (
    tree_size   bigint      PRIMARY KEY,
    last_seq    bigint      NOT NULL UNIQUE,
    root_hash   bytea       NOT NULL,
    global_hash bytea       NOT NULL,
    "timestamp" timestamptz NOT NULL,
    key_id      text        NOT NULL,
    signature   text        NOT NULL
);

CREATE FUNCTION __SCHEMA__.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END
$fn$;

CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON __SCHEMA__.audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION __SCHEMA__.audit_append_only();

-- 4. Every public key that ever signed (or may sign) a checkpoint. Retired keys stay: their checkpoints stay verifiable.
CREATE TABLE __SCHEMA__.audit_keys (
    key_id          text        PRIMARY KEY,
    algorithm       text        NOT NULL,
    public_key_spki bytea       NOT NULL,
    created_at      timestamptz NOT NULL,
    retired_at      timestamptz
);

-- 5. The publisher's verdict, shared by every node (readiness reads it): 'ok' or 'refused' with the reason.
CREATE TABLE __SCHEMA__.audit_status (
    id        boolean     PRIMARY KEY DEFAULT true CHECK (id),
    state     text        NOT NULL,
    error     text,
    error_seq bigint,
    updated   timestamptz NOT NULL
);
INSERT INTO __SCHEMA__.audit_status (state, updated) VALUES ('ok', clock_timestamp());
