-- 0005: the timeline's index on ts was never read (timelines are read by
-- ticket, statistics from the ticket rows) and cost a b-tree insert on every
-- counter action.
DROP INDEX IF EXISTS ticket_event_ts;
