#!/usr/bin/env node
// Fails when the top-level folders of a package's src import each other in a circle (tests and
// test helpers excepted): each folder is a layer, and layers only import downwards.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..', 'packages');
const IMPORT = /(?:from|import\()\s*'(\.[^']+)'/g;
let failed = false;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts)$/.test(name) && !/\.test\.|test-helpers|\.d\.ts$/.test(name) ? [path] : [];
  });
}

const folderOf = (src, path) => {
  const parts = relative(src, path).split(sep);
  return parts.length > 1 ? parts[0] : '.';
};

for (const pkg of readdirSync(root)) {
  const src = join(root, pkg, 'src');
  try {
    statSync(src);
  } catch {
    continue;
  }
  const edges = new Map();
  for (const file of sourceFiles(src)) {
    const from = folderOf(src, file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), spec));
      if (relative(src, target).startsWith('..')) continue;
      const to = folderOf(src, target);
      if (to === from || from === '.') continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from).has(to)) edges.get(from).set(to, relative(src, file));
    }
  }
  // Tarjan's strongly connected components: any with two or more folders is a circle.
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  let counter = 0;
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) {
        failed = true;
        const links = component.flatMap((a) =>
          component.filter((b) => edges.get(a)?.has(b)).map((b) => `    ${a} -> ${b} (${edges.get(a).get(b)})`),
        );
        console.error(`${pkg}: folders importing each other: ${component.join(', ')}\n${links.join('\n')}`);
      }
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
}
if (failed) process.exit(1);
console.log('no import circle among the packages’ folders');
