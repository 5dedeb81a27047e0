-- Erasure must not leave the words of deleted texts in the full-text index: with FTS5's
-- secure-delete option, deleting a row removes its tokens from the index at once (instead of a
-- delete marker over segments that keep them until a merge). Needs SQLite 3.44 or newer.
insert into platform_embeddings_fts (platform_embeddings_fts, rank) values ('secure-delete', 1);
