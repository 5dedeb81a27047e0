-- Full-text search over embedded texts (chunks, labels): the Librarian's keyword side.
-- The 'simple' configuration (lower-casing, no stemming) behaves the same for every language.
create index if not exists platform_embeddings_text_search
  on platform_embeddings using gin (to_tsvector('simple', coalesce(text, '')));
