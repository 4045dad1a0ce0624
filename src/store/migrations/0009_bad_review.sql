-- 0009: the 差评 closed loop (差评整改, DOMAIN.md §4): per-region deadline
-- profiles, one work order per first active 差评 with its steps, and the
-- appeal and review (申诉复核) that can take a 差评 out of scoring.

-- A deadline profile of a region. Never edited: a new profile (or another
-- one marked default) replaces the default; an order keeps the profile it
-- opened with (profile_id NULL: the built-in "1-2-3" rule). Per step n and
-- unit: workdays | days | hours. contact, verify, classify, fix_now, explain,
-- listed_max count from the order's opening; followup from the
-- rectification; rate from the follow-up. listed_max bounds the deadline a
-- 'listed' classification may choose (workdays or days only).
CREATE TABLE bad_review_profile (
    id {{ID}},
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    contact_n INTEGER NOT NULL,
    contact_unit TEXT NOT NULL CHECK (contact_unit IN ('workdays', 'days', 'hours')),
    verify_n INTEGER NOT NULL,
    verify_unit TEXT NOT NULL CHECK (verify_unit IN ('workdays', 'days', 'hours')),
    classify_n INTEGER NOT NULL,
    classify_unit TEXT NOT NULL CHECK (classify_unit IN ('workdays', 'days', 'hours')),
    fix_now_n INTEGER NOT NULL,
    fix_now_unit TEXT NOT NULL CHECK (fix_now_unit IN ('workdays', 'days', 'hours')),
    listed_max_n INTEGER NOT NULL,
    listed_max_unit TEXT NOT NULL CHECK (listed_max_unit IN ('workdays', 'days')),
    explain_n INTEGER NOT NULL,
    explain_unit TEXT NOT NULL CHECK (explain_unit IN ('workdays', 'days', 'hours')),
    followup_n INTEGER NOT NULL,
    followup_unit TEXT NOT NULL CHECK (followup_unit IN ('workdays', 'days', 'hours')),
    rate_n INTEGER NOT NULL,
    rate_unit TEXT NOT NULL CHECK (rate_unit IN ('workdays', 'days', 'hours')),
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX bad_review_profile_region ON bad_review_profile (region_id, id);
CREATE UNIQUE INDEX bad_review_profile_default ON bad_review_profile (region_id)
    WHERE is_default = 1;

-- A work order. unit_id / node_path: the responsible unit (谁办理谁负责) and
-- its path, which scopes access; staff_id: the staff member who delivered the
-- service. state: assigned | contacted | verified | classified | rectified |
-- followed_up | closed (rated) | appeal_upheld. step / due_at / due_day: the
-- step due now (NULL once closed). The answers of the steps: contact_method
-- and contacted_at, finding (true | false | partly), classification (fix_now |
-- listed | explain) with deadline_day for listed, rating (satisfied | basic |
-- unsatisfied). The item name, level and channel are copied from the
-- evaluation so lists need no join.
CREATE TABLE bad_review (
    id {{ID}},
    evaluation_id BIGINT NOT NULL REFERENCES evaluation(id),
    region_id BIGINT NOT NULL REFERENCES org_node(id),
    unit_id BIGINT NOT NULL REFERENCES org_node(id),
    node_path {{TEXT_C}} NOT NULL,
    staff_id BIGINT REFERENCES staff(id),
    window_id BIGINT REFERENCES org_node(id),
    item_name TEXT NOT NULL DEFAULT '',
    level INTEGER NOT NULL,
    channel TEXT NOT NULL,
    profile_id BIGINT REFERENCES bad_review_profile(id),
    state TEXT NOT NULL CHECK (state IN ('assigned', 'contacted', 'verified', 'classified',
        'rectified', 'followed_up', 'closed', 'appeal_upheld')),
    step TEXT CHECK (step IN ('contact', 'verify', 'classify', 'rectify', 'followup', 'rate')),
    due_at BIGINT,
    due_day TEXT,
    contact_method TEXT CHECK (contact_method IN ('phone', 'sms', 'visit', 'other')),
    contacted_at BIGINT,
    finding TEXT CHECK (finding IN ('true', 'false', 'partly')),
    classification TEXT CHECK (classification IN ('fix_now', 'listed', 'explain')),
    deadline_day TEXT,
    rating TEXT CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
    opened_at BIGINT NOT NULL,
    opened_day TEXT NOT NULL,
    closed_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX bad_review_evaluation ON bad_review (evaluation_id);
CREATE INDEX bad_review_path ON bad_review (node_path, id);
CREATE INDEX bad_review_staff ON bad_review (staff_id, id);
CREATE INDEX bad_review_due ON bad_review (due_at) WHERE due_at IS NOT NULL;

-- The steps reached so far, one row each, created when the step becomes the
-- one due (open = 1) and completed once (done_*; late: recorded after due_at).
-- warned: the sweep has raised the overdue warning (claimed once). An order
-- closed by an upheld appeal leaves its open step with open = 0 and no done_at.
CREATE TABLE bad_review_step (
    review_id BIGINT NOT NULL REFERENCES bad_review(id),
    step TEXT NOT NULL CHECK (step IN ('contact', 'verify', 'classify', 'rectify', 'followup',
        'rate')),
    seq INTEGER NOT NULL,
    due_at BIGINT NOT NULL,
    due_day TEXT NOT NULL,
    open INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    done_at BIGINT,
    done_by BIGINT REFERENCES staff(id),
    late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    warned INTEGER NOT NULL DEFAULT 0 CHECK (warned IN (0, 1)),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (review_id, step)
);
-- the sweep: open steps not yet warned, by due time
CREATE INDEX bad_review_step_due ON bad_review_step (due_at) WHERE open = 1 AND warned = 0;

-- 申诉复核: one appeal per order, by the unit; a supervisor decides.
-- state: pending | upheld | rejected.
CREATE TABLE bad_review_appeal (
    id {{ID}},
    review_id BIGINT NOT NULL REFERENCES bad_review(id),
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('pending', 'upheld', 'rejected')),
    appealed_by BIGINT NOT NULL REFERENCES staff(id),
    appealed_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES staff(id),
    decided_at BIGINT,
    decision_note TEXT
);
CREATE UNIQUE INDEX bad_review_appeal_once ON bad_review_appeal (review_id);
CREATE INDEX bad_review_appeal_pending ON bad_review_appeal (id) WHERE state = 'pending';
