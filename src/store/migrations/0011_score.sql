-- 0011: 三比 quantified scoring (DOMAIN.md §2, §7): scorecard definitions as
-- versioned data, the monthly facts they read, manual score events with their
-- evidence, period results (live while the period is open, frozen when it
-- closes), awards (the rotating red flag, nominations) and the rescoring queue.
--
-- A period's scoring never scans raw rows: evaluations come from
-- eval_month_window / eval_month_staff, queue and case counts from score_fact,
-- both maintained incrementally by the writes that change them.

-- Industry (行业) of a unit: tax, social security, hospital, bank...; windows
-- and staff belong to the industry of their nearest unit that names one.
ALTER TABLE org_node ADD COLUMN industry TEXT NOT NULL DEFAULT '';

-- Evaluation figures per month and staff member, as eval_month_window is per
-- window (kept by eval_rollup_add in the same transaction).
CREATE TABLE eval_month_staff (
    month {{TEXT_C}} NOT NULL,
    staff_id BIGINT NOT NULL,
    n1 BIGINT NOT NULL DEFAULT 0,
    n2 BIGINT NOT NULL DEFAULT 0,
    n3 BIGINT NOT NULL DEFAULT 0,
    n4 BIGINT NOT NULL DEFAULT 0,
    n5 BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 0,
    active_good BIGINT NOT NULL DEFAULT 0,
    defaulted BIGINT NOT NULL DEFAULT 0,
    unrated BIGINT NOT NULL DEFAULT 0,
    bad BIGINT NOT NULL DEFAULT 0,
    excluded BIGINT NOT NULL DEFAULT 0,
    bad_replied BIGINT NOT NULL DEFAULT 0,
    bad_rectified BIGINT NOT NULL DEFAULT 0,
    bad_satisfied BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, staff_id)
);

-- Counters per month ('YYYY-MM') and subject (kind 'window' or 'staff') kept
-- by the queue and case writes: served, noshow, svc_timeout, case_done,
-- case_ontime, case_late, case_overdue, case_returned.
CREATE TABLE score_fact (
    month {{TEXT_C}} NOT NULL,
    kind {{TEXT_C}} NOT NULL,
    subject_id BIGINT NOT NULL,
    metric {{TEXT_C}} NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, kind, subject_id, metric)
);

-- A scorecard: applies to the windows or the staff under node_id (the
-- nearest scorecard up the tree wins), scored over the listed period kinds.
CREATE TABLE score_card (
    id {{ID}},
    node_id BIGINT NOT NULL REFERENCES org_node(id),
    subject TEXT NOT NULL CHECK (subject IN ('window', 'staff')),
    name TEXT NOT NULL,
    periods TEXT NOT NULL,
    version_id BIGINT,
    active INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX score_card_node ON score_card (node_id, subject) WHERE active = 1;

-- Versions are never edited: a change is a new version; a closed period keeps
-- the version it was scored with.
CREATE TABLE score_card_version (
    id {{ID}},
    card_id BIGINT NOT NULL REFERENCES score_card(id),
    version INTEGER NOT NULL,
    def TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    UNIQUE (card_id, version)
);

-- Manual inputs (attendance, discipline, 技能比武, praise letters, media
-- criticism, inspection findings...), each with its evidence; counted once
-- confirmed by a second person.
CREATE TABLE score_event (
    id {{ID}},
    kind TEXT NOT NULL CHECK (kind IN ('window', 'staff')),
    subject_id BIGINT NOT NULL,
    subject_path {{TEXT_C}} NOT NULL,
    type {{TEXT_C}} NOT NULL,
    day {{TEXT_C}} NOT NULL,
    month {{TEXT_C}} NOT NULL,
    qty BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    ref TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'void')),
    entered_by BIGINT REFERENCES staff(id),
    confirmed_by BIGINT REFERENCES staff(id),
    confirmed_at BIGINT,
    void_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX score_event_month ON score_event (month, state);
CREATE INDEX score_event_subject ON score_event (kind, subject_id, month);

-- A card's period ('2026-11', '2026-Q4', '2026'): open until closed; closing
-- freezes its results, reopening (admin) is audited.
CREATE TABLE score_period (
    card_id BIGINT NOT NULL REFERENCES score_card(id),
    period {{TEXT_C}} NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('month', 'quarter', 'year')),
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    version_id BIGINT,
    closed_by BIGINT REFERENCES staff(id),
    closed_at BIGINT,
    reopened_by BIGINT REFERENCES staff(id),
    reopened_at BIGINT,
    reopen_reason TEXT,
    subjects BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (card_id, period)
);

-- One subject's result in a card's period: score in hundredths of a point,
-- stars (0 = disqualified), the veto that disqualified it, its groups, its
-- ranks (stored when the period closes), the bottom-of-ranking streak, its
-- path (the window's or the staff member's home node's: who may see it), and
-- the inputs it was computed from (JSON) so the drill-down can recompute it.
CREATE TABLE score_result (
    card_id BIGINT NOT NULL,
    period {{TEXT_C}} NOT NULL,
    kind {{TEXT_C}} NOT NULL,
    subject_id BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    score BIGINT NOT NULL,
    stars INTEGER NOT NULL,
    veto TEXT NOT NULL DEFAULT '',
    hall_id BIGINT NOT NULL DEFAULT 0,
    unit_id BIGINT NOT NULL DEFAULT 0,
    industry {{TEXT_C}} NOT NULL DEFAULT '',
    rank_all INTEGER NOT NULL DEFAULT 0,
    rank_hall INTEGER NOT NULL DEFAULT 0,
    rank_unit INTEGER NOT NULL DEFAULT 0,
    rank_industry INTEGER NOT NULL DEFAULT 0,
    bottom_streak INTEGER NOT NULL DEFAULT 0,
    path {{TEXT_C}} NOT NULL DEFAULT '',
    inputs TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (card_id, period, kind, subject_id)
);
CREATE INDEX score_result_rank ON score_result (card_id, period, score);
CREATE INDEX score_result_subject ON score_result (kind, subject_id, period);

-- Awards: the red flag (流动红旗) and nomination winners (先锋服务窗口,
-- 明星服务标兵); revoked_at set when a reopened period is closed again.
CREATE TABLE score_award (
    id {{ID}},
    card_id BIGINT NOT NULL,
    period {{TEXT_C}} NOT NULL,
    award {{TEXT_C}} NOT NULL,
    kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    rank INTEGER NOT NULL,
    score BIGINT NOT NULL,
    group_id BIGINT NOT NULL DEFAULT 0,
    nomination_id BIGINT,
    awarded_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX score_award_card ON score_award (card_id, award, period);
CREATE INDEX score_award_subject ON score_award (kind, subject_id);

-- Subjects whose inputs changed since their live scores were computed, with
-- the month ('YYYY-MM') the change belongs to ('' = any: every live period;
-- 'YYYY-MM+' = that month's quarter and year, deferred until due_at: a
-- subject's quarter and year are rescored at most once a minute).
CREATE TABLE score_dirty (
    kind {{TEXT_C}} NOT NULL,
    subject_id BIGINT NOT NULL,
    month {{TEXT_C}} NOT NULL DEFAULT '',
    due_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, subject_id, month)
);
