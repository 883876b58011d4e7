-- The collector's log in PostgreSQL (collector/src/store/pg_store.rs; docs/collector.md,
-- "The PostgreSQL store"). One database holds one election's ballot box.

-- The election this database serves, and the log's head: the row every commit locks
-- (SELECT ... FOR UPDATE), which orders the commits of all collectors on this database.
CREATE TABLE election (
    id               smallint PRIMARY KEY CHECK (id = 1),
    -- The election's context hash (32 bytes): a collector of another election is refused.
    context          bytea    NOT NULL CHECK (length(context) = 32),
    -- How many leaves the log holds: the next leaf index.
    size             bigint   NOT NULL CHECK (size >= 0),
    -- The last leaf's receive time (Unix seconds); receive times never decrease.
    last_received_at bigint   NOT NULL,
    -- The closing statement (the FinalHead layout, 176 bytes) once the box is closed.
    final_head       bytea
);

-- One row per logged submission. `record` (the SubmissionRecord layout), `submission` (as
-- received) and `ocsp` (the OCSP evidence layout, empty if none) are the truth; the other
-- columns repeat fields of the record for the indexes.
CREATE TABLE log (
    leaf        bigint  PRIMARY KEY CHECK (leaf >= 0),
    received_at bigint  NOT NULL,
    voter_id    text    NOT NULL,
    voter_seq   integer NOT NULL CHECK (voter_seq >= 1),
    ballot_hash bytea   NOT NULL UNIQUE,
    -- The challenge nonce: a challenge is used once, whichever collector received it.
    nonce       bytea   NOT NULL UNIQUE,
    record      bytea   NOT NULL,
    submission  bytea   NOT NULL,
    ocsp        bytea   NOT NULL,
    UNIQUE (voter_id, voter_seq)
);

-- How often each ballot was fetched for verification (GET /verify/{ballot_id}).
CREATE TABLE verifications (
    ballot_hash bytea   PRIMARY KEY,
    count       integer NOT NULL
);
