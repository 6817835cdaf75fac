-- The first response to each write sent with an Idempotency-Key (docs/adr/0014-idempotent-requests.md). A request
-- claims its key by inserting the row in a transaction it keeps open while the endpoint runs, so a concurrent duplicate
-- waits on the primary key; the row is committed only with a successful (2xx) response, which every later request with
-- the same key and the same request hash gets back. idempotency_keys (0001) still makes each append happen once.
CREATE TABLE __SCHEMA__.idempotent_requests (
    key          text        PRIMARY KEY,
    request_hash bytea       NOT NULL,
    status       integer     NOT NULL,
    content_type text,
    location     text,
    etag         text,
    body         bytea       NOT NULL,
    created      timestamptz NOT NULL
);
CREATE INDEX idempotent_requests_created ON __SCHEMA__.idempotent_requests (created);
