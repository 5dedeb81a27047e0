import { contentSteward, defaultFileFormats, defineFileFormat, smartCityModule } from '@platform/smart-city';

/** Pipe-separated values: a text format, read by the data mash's CSV parser (it guesses the `|`). */
export const psv = defineFileFormat({
  id: 'psv',
  kind: 'text',
  extensions: ['psv'],
  mimeTypes: ['text/plain'],
  parser: 'csv',
  description: 'Pipe-separated values',
});

/** Apache Parquet: a binary format, told by its magic bytes, stored but not parsed (no `parser`). */
export const parquet = defineFileFormat({
  id: 'parquet',
  kind: 'binary',
  extensions: ['parquet'],
  mimeTypes: ['application/vnd.apache.parquet'],
  magic: [{ bytes: [0x50, 0x41, 0x52, 0x31] }], // "PAR1"
});

/** The built-in formats and the host's two; `dataMashModules({ formats })` takes the same registry. */
export const formats = defaultFileFormats.with(psv, parquet);

/** The Content Steward, accepting them. */
export const roles = smartCityModule({ roles: [contentSteward({ formats })] });
