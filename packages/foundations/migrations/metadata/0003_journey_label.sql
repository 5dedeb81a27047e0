-- @platform/foundations MetadataStore schema, version 3: a journey's label, what it is about in
-- words people search by (the data mash: its file's name). listJourneys({ label }) finds the
-- journeys whose label contains the text, ignoring case. Journeys written before keep a null label.

alter table platform_journeys add column if not exists label text check (char_length(label) <= 500);
