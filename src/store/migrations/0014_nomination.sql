-- 0014: nominations (DOMAIN.md §2, §7): 先锋服务窗口 (model window) and
-- 明星服务标兵 (service star). The top N of a card's closed period (vetoed
-- subjects skipped) become candidates, frozen with their score and rank;
-- then a secret vote of the staff under the card's node, or a leader's
-- written decision, picks up to `quota` winners, written to score_award when
-- the nomination closes.

-- A nomination over one card and one closed period. kind model_window is for
-- window cards, service_star for staff cards. node_path: the card's node,
-- which scopes access. quota_percent: the percent of top_n the quota was
-- given as (NULL: given as a count). opened_by owns it. decision_*: the
-- leader's decision (mode decision), replaceable while open. One nomination
-- of a kind per card and period that is not cancelled.
CREATE TABLE nomination (
    id {{ID}},
    card_id BIGINT NOT NULL REFERENCES score_card(id),
    period {{TEXT_C}} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('model_window', 'service_star')),
    subject TEXT NOT NULL CHECK (subject IN ('window', 'staff')),
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    node_path {{TEXT_C}} NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('vote', 'decision')),
    top_n INTEGER NOT NULL,
    quota INTEGER NOT NULL,
    quota_percent INTEGER,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'cancelled')),
    ballots INTEGER NOT NULL DEFAULT 0,
    opened_by BIGINT REFERENCES staff(id),
    decision_reason TEXT,
    decided_by BIGINT REFERENCES staff(id),
    decided_at BIGINT,
    closed_by BIGINT REFERENCES staff(id),
    closed_at BIGINT,
    cancel_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX nomination_once ON nomination (card_id, period, kind)
    WHERE state <> 'cancelled';
CREATE INDEX nomination_state ON nomination (state, closed_at);

-- The candidates, frozen at the opening: place 1..n by score (ties by rank,
-- then id), the score (hundredths) and rank of the period's result, its hall
-- and unit. votes: the count of ballots that chose it (the ballots record
-- who voted, never for whom); chosen: picked by the decision; won: the
-- winner's place (0: not a winner), set at the close.
CREATE TABLE nomination_candidate (
    nomination_id BIGINT NOT NULL REFERENCES nomination(id),
    subject_id BIGINT NOT NULL,
    place INTEGER NOT NULL,
    score BIGINT NOT NULL,
    rank_all INTEGER NOT NULL,
    stars INTEGER NOT NULL,
    hall_id BIGINT NOT NULL DEFAULT 0,
    unit_id BIGINT NOT NULL DEFAULT 0,
    votes BIGINT NOT NULL DEFAULT 0,
    chosen INTEGER NOT NULL DEFAULT 0,
    won INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (nomination_id, subject_id)
);

-- Who voted and when (one ballot each); the choices only add to the
-- candidates' counts.
CREATE TABLE nomination_ballot (
    nomination_id BIGINT NOT NULL REFERENCES nomination(id),
    voter_id BIGINT NOT NULL REFERENCES staff(id),
    cast_at BIGINT NOT NULL,
    PRIMARY KEY (nomination_id, voter_id)
);
