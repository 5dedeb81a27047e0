// Parquet writer candidates for `data-mash export`, measured on one table: the numbers of
// docs/adr/0015-parquet-export.md. Not part of the package (not built, not tested): run it in a
// folder of its own where the candidates are installed (the ADR gives the commands).
//
//   node parquet-candidates.bench.mjs generate <dir> [megabytes=50]   writes <dir>/table.csv and <dir>/table.jsonl
//   node parquet-candidates.bench.mjs <candidate> <dir> [rowGroup=65536]
//
// Candidates: none (read and convert only), hyparquet-writer, parquet-wasm, duckdb, parquetjs.
// Each run reads the JSON Lines copy (the rows as the flow stores them: every CSV value a
// string), converts each column to its type in row groups, writes <dir>/<candidate>.parquet,
// and prints one JSON line: seconds, MB/s of the CSV, peak RSS (MiB), output bytes.

import { once } from 'node:events';
import { createReadStream, createWriteStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [command, dir, extra] = process.argv.slice(2);

// --- the table: 10 columns of every type the profile decides ---------------------------------
const COLUMNS = [
  ['id', 'integer'],
  ['zip', 'identifier'],
  ['city', 'categorical'],
  ['amount', 'decimal'],
  ['quantity', 'integer'],
  ['active', 'boolean'],
  ['order_date', 'date'],
  ['updated_at', 'datetime'],
  ['note', 'text'],
  ['big', 'integer'],
];
const CITIES = ['Seattle', 'Zürich', 'São Paulo', 'Köln', 'Paris', 'Oslo', 'Tokyo', 'Lagos', 'Lima', 'Perth'];
const WORDS = ['alpha', 'beta', 'gamma', 'delta, with comma', 'say "hi"', 'line\nbreak', 'naïve', '=SUM(A1)', '@cmd'];

function* rows(count) {
  let seed = 42;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  for (let id = 1; id <= count; id += 1) {
    const day = Math.floor(random() * 3650);
    const date = new Date(Date.UTC(2015, 0, 1) + day * 86_400_000);
    const words = Array.from(
      { length: 2 + Math.floor(random() * 6) },
      () => WORDS[Math.floor(random() * WORDS.length)],
    );
    yield {
      id: String(id),
      zip: String(Math.floor(random() * 99_999)).padStart(5, '0'),
      city: CITIES[Math.floor(random() * CITIES.length)],
      amount: random() < 0.02 ? '' : ((random() - 0.3) * 10_000).toFixed(2),
      quantity: String(Math.floor(random() * 200) - 20),
      active: random() < 0.5 ? 'true' : 'false',
      order_date: date.toISOString().slice(0, 10),
      updated_at: new Date(date.getTime() + Math.floor(random() * 86_400) * 1000)
        .toISOString()
        .slice(0, 19)
        .replace('T', ' '),
      note: words.join(' '),
      big: String(9_007_199_254_740_993n + BigInt(id)),
    };
  }
}

const csvCell = (text) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

async function generate(megabytes) {
  const csv = createWriteStream(join(dir, 'table.csv'));
  const jsonl = createWriteStream(join(dir, 'table.jsonl'));
  csv.write(`${COLUMNS.map(([name]) => name).join(',')}\r\n`);
  let bytes = 0;
  let count = 0;
  for (const row of rows(Number.MAX_SAFE_INTEGER)) {
    const line = `${Object.values(row).map(csvCell).join(',')}\r\n`;
    bytes += Buffer.byteLength(line);
    count += 1;
    if (!csv.write(line)) await once(csv, 'drain');
    if (!jsonl.write(`${JSON.stringify(row)}\n`)) await once(jsonl, 'drain');
    if (bytes >= megabytes * 1_000_000) break;
  }
  csv.end();
  jsonl.end();
  await Promise.all([once(csv, 'close'), once(jsonl, 'close')]);
  writeFileSync(join(dir, 'table.json'), JSON.stringify({ rows: count, csvBytes: bytes }));
  console.log(JSON.stringify({ rows: count, csvBytes: bytes }));
}

// --- reading and converting, the same for every candidate -----------------------------------
async function* readRows(path) {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) if (line) yield JSON.parse(line);
  }
  if (rest) yield JSON.parse(rest);
}

const DAY = 86_400_000;
function convert(type, text) {
  if (text === '' || text === undefined || text === null) return null;
  switch (type) {
    case 'integer':
      return BigInt(text);
    case 'decimal':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'date':
      return Math.floor(Date.parse(`${text}T00:00:00Z`) / DAY);
    case 'datetime':
      return Date.parse(`${text.replace(' ', 'T')}Z`);
    default:
      return text;
  }
}

async function* groups(path, size) {
  let columns = COLUMNS.map(() => []);
  let count = 0;
  for await (const row of readRows(path)) {
    COLUMNS.forEach(([name, type], index) => {
      columns[index].push(convert(type, row[name]));
    });
    count += 1;
    if (count === size) {
      yield { columns, count };
      columns = COLUMNS.map(() => []);
      count = 0;
    }
  }
  if (count > 0) yield { columns, count };
}

// --- the candidates ---------------------------------------------------------------------------
const CANDIDATES = {
  async none(input, _output, size) {
    for await (const _group of groups(input, size));
  },

  async 'hyparquet-writer'(input, output, size) {
    const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
    const file = createWriteStream(output);
    const writer = new ByteWriter(4 * 1024 * 1024);
    // Each row group's bytes go to the file stream as they are encoded; a full stream is waited for.
    writer.flush = async () => {
      const bytes = new Uint8Array(writer.buffer.slice(0, writer.index));
      writer.index = 0;
      if (!file.write(bytes)) await once(file, 'drain');
    };
    writer.finish = () => writer.flush();
    const element = (name, type) =>
      ({
        integer: { name, type: 'INT64', repetition_type: 'OPTIONAL' },
        decimal: { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        boolean: { name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
        date: { name, type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
        datetime: {
          name,
          type: 'INT64',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MILLIS' },
          repetition_type: 'OPTIONAL',
        },
      })[type] ?? { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
    const schema = [
      { name: 'root', num_children: COLUMNS.length },
      ...COLUMNS.map(([name, type]) => element(name, type)),
    ];
    const parquet = new ParquetWriter({ writer, schema, codec: 'SNAPPY' });
    for await (const { columns, count } of groups(input, size)) {
      await parquet.write({
        columnData: COLUMNS.map(([name, type], index) => ({
          name,
          data: type === 'datetime' ? columns[index].map((ms) => (ms === null ? null : BigInt(ms))) : columns[index],
        })),
        rowGroupSize: count,
      });
    }
    await parquet.finish();
    file.end();
    await once(file, 'close');
  },

  async 'parquet-wasm'(input, output, size) {
    const arrow = await import('apache-arrow');
    const wasm = await import('parquet-wasm');
    const types = {
      integer: () => new arrow.Int64(),
      decimal: () => new arrow.Float64(),
      boolean: () => new arrow.Bool(),
      date: () => new arrow.DateDay(),
      datetime: () => new arrow.TimestampMillisecond(),
    };
    const fields = COLUMNS.map(
      ([name, type]) => new arrow.Field(name, (types[type] ?? (() => new arrow.Utf8()))(), true),
    );
    const schema = new arrow.Schema(fields);
    const source = groups(input, size);
    const batches = new ReadableStream({
      async pull(controller) {
        const next = await source.next();
        if (next.done) return controller.close();
        const { columns } = next.value;
        const vectors = {};
        COLUMNS.forEach(([name, type], index) => {
          // Arrow's builders take days as Dates for DateDay and ms for timestamps.
          const values =
            type === 'date' ? columns[index].map((day) => (day === null ? null : new Date(day * DAY))) : columns[index];
          vectors[name] = arrow.vectorFromArray(values, fields[index].type);
        });
        const table = new arrow.Table(schema, vectors);
        const wasmTable = wasm.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
        for (const batch of wasmTable.recordBatches()) controller.enqueue(batch);
      },
    });
    const properties = new wasm.WriterPropertiesBuilder()
      .setCompression(wasm.Compression.SNAPPY)
      .setMaxRowGroupSize(size)
      .build();
    const bytes = await wasm.transformParquetStream(batches, properties);
    const file = createWriteStream(output);
    for await (const chunk of bytes) if (!file.write(chunk)) await once(file, 'drain');
    file.end();
    await once(file, 'close');
  },

  async duckdb(input, output, size) {
    const { DuckDBInstance, dateValue, timestampValue } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const sql = { integer: 'BIGINT', decimal: 'DOUBLE', boolean: 'BOOLEAN', date: 'DATE', datetime: 'TIMESTAMP' };
    await connection.run(
      `CREATE TABLE t (${COLUMNS.map(([name, type]) => `"${name}" ${sql[type] ?? 'VARCHAR'}`).join(', ')})`,
    );
    const appender = await connection.createAppender('t');
    const append = {
      integer: (value) => appender.appendBigInt(value),
      decimal: (value) => appender.appendDouble(value),
      boolean: (value) => appender.appendBoolean(value),
      date: (value) => appender.appendDate(dateValue(value)),
      datetime: (value) => appender.appendTimestamp(timestampValue(BigInt(value) * 1000n)),
    };
    for await (const { columns, count } of groups(input, size)) {
      for (let row = 0; row < count; row += 1) {
        COLUMNS.forEach(([, type], index) => {
          const value = columns[index][row];
          if (value === null) appender.appendNull();
          else (append[type] ?? ((text) => appender.appendVarchar(text)))(value);
        });
        appender.endRow();
      }
      appender.flushSync();
    }
    appender.closeSync();
    await connection.run(`COPY t TO '${output}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${size})`);
    connection.closeSync();
    instance.closeSync();
  },

  async parquetjs(input, output, size) {
    const { ParquetSchema, ParquetWriter } = (await import('@dsnp/parquetjs')).default;
    const types = {
      integer: 'INT64',
      decimal: 'DOUBLE',
      boolean: 'BOOLEAN',
      date: 'DATE',
      datetime: 'TIMESTAMP_MILLIS',
    };
    const schema = new ParquetSchema(
      Object.fromEntries(
        COLUMNS.map(([name, type]) => [name, { type: types[type] ?? 'UTF8', optional: true, compression: 'SNAPPY' }]),
      ),
    );
    const writer = await ParquetWriter.openFile(schema, output, { rowGroupSize: size });
    for await (const { columns, count } of groups(input, size)) {
      for (let row = 0; row < count; row += 1) {
        const record = {};
        COLUMNS.forEach(([name, type], index) => {
          const value = columns[index][row];
          if (value === null) return;
          record[name] = type === 'date' ? new Date(value * DAY) : type === 'datetime' ? new Date(value) : value;
        });
        await writer.appendRow(record);
      }
    }
    await writer.close();
  },
};

if (command === 'generate') {
  await generate(Number(extra ?? 50));
} else {
  const run = CANDIDATES[command];
  if (!run) throw new Error(`unknown candidate ${command}: ${Object.keys(CANDIDATES).join(', ')}`);
  const { csvBytes, rows: count } = JSON.parse(
    await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'table.json'), 'utf8')),
  );
  const output = join(dir, `${command}.parquet`);
  const started = performance.now();
  await run(join(dir, 'table.jsonl'), output, Number(extra ?? 65_536));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      candidate: command,
      rows: count,
      seconds: Number(seconds.toFixed(2)),
      csvMBps: Number((csvBytes / 1e6 / seconds).toFixed(1)),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      outputBytes: command === 'none' ? 0 : statSync(output).size,
    }),
  );
}
