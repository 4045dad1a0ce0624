-- 0010: what the fraud sweep keeps between its runs, and the upstream push of
-- evaluations to the province (DOMAIN.md §4). The evaluation table itself
-- (id-ordered, append-only, its ids handed out in commit order by the chain
-- head) is the outbox: the push needs only a cursor and a failure log.
--
-- No new index on evaluation: the sweep reads its batch by primary key and
-- looks back in time through evaluation_created (time-leading, cheap for
-- inserts, DESIGN.md §4); a staff member's streak is kept here instead of
-- being read back through a staff-leading index.

-- The level-5 run each staff member is on, as the sweep saw it (first,
-- actively given evaluations in id order): run is its length, ids the last
-- of them (up to the region's streak_n), comma-separated; last_eval_id the
-- last evaluation counted.
CREATE TABLE eval_streak (
    staff_id BIGINT PRIMARY KEY,
    run INTEGER NOT NULL,
    ids TEXT NOT NULL,
    last_eval_id BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Per target (as shown: no credentials): the last evaluation id the target
-- accepted, how many it accepted in all and when last, the failed attempts of
-- the batch now waiting and when it may be tried again.
CREATE TABLE eval_push_cursor (
    target {{TEXT_C}} PRIMARY KEY,
    last_id BIGINT NOT NULL DEFAULT 0,
    pushed BIGINT NOT NULL DEFAULT 0,
    last_success_at BIGINT,
    attempt INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);

-- One row per failed attempt: the batch (first and last evaluation id), the
-- attempt's number, when, what went wrong and when the next try is due.
CREATE TABLE eval_push_failure (
    id {{ID}},
    target {{TEXT_C}} NOT NULL,
    evaluation_id BIGINT NOT NULL,
    last_evaluation_id BIGINT NOT NULL,
    attempt INTEGER NOT NULL,
    at BIGINT NOT NULL,
    error TEXT NOT NULL,
    next_at BIGINT NOT NULL
);
CREATE INDEX eval_push_failure_target ON eval_push_failure (target, id);
