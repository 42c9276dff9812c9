-- Lets a state write update its row in place (a "HOT" update: the new version on the same page, no index
-- touched). With many stored conversations each turn's write lands on a different page, and the first change
-- to a page after a checkpoint writes the whole 8 KB page to the WAL: measured at 50,000 stored conversations,
-- 6-9 KB of WAL per turn against 1.6 KB at 100, as every such write also touched the primary key and the
-- updated_at index. A HOT update leaves the indexes alone, so only the table's page is written (which still
-- costs a whole page once per checkpoint: 6-7 KB a turn measured after this change). It needs room on the page for the
-- new version (hence fillfactor: pages filled to 70% leave room for it; existing pages get it as they are
-- rewritten) and no indexed column changed: updated_at is moved forward only once it is an hour old
-- (storage/postgres/pgStateStore.ts).
ALTER TABLE bot_state SET (fillfactor = 70);
