-- 0013: review rounds (三评, DOMAIN.md §2): self, peer, leader and public
-- review of staff or windows, with a form of weighted criteria and weighted
-- rater groups; results frozen when a round closes.

-- The party branch a staff member belongs to (党支部), for 党员互评 groups
-- restricted to members of the same branch. '' = none.
ALTER TABLE staff ADD COLUMN party_branch TEXT NOT NULL DEFAULT '';

-- A round over the subtree of node_id (node_path copied: it scopes access)
-- for one period key ('YYYY-MM', 'YYYY-Qn' or 'YYYY'); its subjects are the
-- staff (subject_kind 'staff') or windows ('window') of the subtree.
-- state: draft (the form may change) → open (ratings and votes) → closed
-- (results frozen in review_result). owner_id: the creator.
CREATE TABLE review_round (
    id {{ID}},
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    node_path {{TEXT_C}} NOT NULL,
    period {{TEXT_C}} NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('staff', 'window')),
    title TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed')),
    owner_id BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    opened_at BIGINT,
    closed_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX review_round_path ON review_round (node_path, id);
CREATE INDEX review_round_period ON review_round (period, state);

-- The form's criteria: each scored 0..scale_max; weights add up to 100.
CREATE TABLE review_criterion (
    round_id BIGINT NOT NULL REFERENCES review_round(id),
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    scale_max INTEGER NOT NULL CHECK (scale_max >= 1),
    weight INTEGER NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (round_id, code)
);

-- The rater groups: kind self | peer | leader | public_metrics | public_vote;
-- weights add up to 100. Peer options: party_only (raters and subjects party
-- members of the same branch), unit_scope same_unit | cross_unit | any,
-- rater_role ('' any, else only accounts of that role).
CREATE TABLE review_group (
    round_id BIGINT NOT NULL REFERENCES review_round(id),
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('self', 'peer', 'leader', 'public_metrics',
        'public_vote')),
    weight INTEGER NOT NULL CHECK (weight >= 0),
    party_only INTEGER NOT NULL DEFAULT 0 CHECK (party_only IN (0, 1)),
    unit_scope TEXT NOT NULL DEFAULT 'any' CHECK (unit_scope IN ('same_unit', 'cross_unit',
        'any')),
    rater_role TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, code)
);

-- One verified public voter per round: only the keyed hash of the ID number
-- (unique per round) and the encrypted name and phone are kept.
CREATE TABLE review_vote (
    id {{ID}},
    round_id BIGINT NOT NULL REFERENCES review_round(id),
    id_hash TEXT NOT NULL,
    name_enc TEXT NOT NULL,
    phone_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX review_vote_once ON review_vote (round_id, id_hash);

-- A rating of one subject in one group: by a staff member (rater_id) or by a
-- public vote (vote_id). score_e4: the weighted score on 0..100 in
-- ten-thousandths. Confidential: only the round's owner (and an admin) reads
-- who rated whom.
CREATE TABLE review_rating (
    id {{ID}},
    round_id BIGINT NOT NULL REFERENCES review_round(id),
    group_code TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    rater_id BIGINT REFERENCES staff(id),
    vote_id BIGINT REFERENCES review_vote(id),
    score_e4 BIGINT NOT NULL CHECK (score_e4 >= 0 AND score_e4 <= 1000000),
    comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    CHECK ((rater_id IS NULL) <> (vote_id IS NULL))
);
CREATE UNIQUE INDEX review_rating_once ON review_rating (round_id, group_code, subject_id,
    rater_id) WHERE rater_id IS NOT NULL;
CREATE UNIQUE INDEX review_rating_vote ON review_rating (vote_id, subject_id)
    WHERE vote_id IS NOT NULL;
CREATE INDEX review_rating_round ON review_rating (round_id, subject_id);
CREATE INDEX review_rating_rater ON review_rating (rater_id, round_id) WHERE rater_id IS NOT NULL;

-- The criterion values of a staff rating.
CREATE TABLE review_rating_score (
    rating_id BIGINT NOT NULL REFERENCES review_rating(id),
    code TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (rating_id, code)
);

-- Frozen results of a closed round, per subject (only subjects with at
-- least one group present): total_e4 on 0..100 in ten-thousandths over the
-- present groups, raters counted once each. period and subject_kind copied
-- for the scoring engine's reads.
CREATE TABLE review_result (
    round_id BIGINT NOT NULL REFERENCES review_round(id),
    subject_id BIGINT NOT NULL,
    subject_kind TEXT NOT NULL,
    period {{TEXT_C}} NOT NULL,
    total_e4 BIGINT NOT NULL,
    raters BIGINT NOT NULL,
    PRIMARY KEY (round_id, subject_id)
);
CREATE INDEX review_result_period ON review_result (period, subject_kind, subject_id);

-- Per group of a result: mean_e4 (0..100 in ten-thousandths) over n ratings
-- (public_metrics: n evaluations).
CREATE TABLE review_result_group (
    round_id BIGINT NOT NULL REFERENCES review_round(id),
    subject_id BIGINT NOT NULL,
    group_code TEXT NOT NULL,
    seq INTEGER NOT NULL,
    mean_e4 BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (round_id, subject_id, group_code)
);
