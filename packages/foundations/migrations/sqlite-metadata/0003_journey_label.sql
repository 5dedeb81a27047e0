-- @platform/foundations MetadataStore schema on SQLite, version 3: a journey's label, as
-- migrations/metadata/0003_journey_label.sql. Journeys written before keep a null label.

alter table platform_journeys add column label text check (length(label) <= 500);
