import { useEffect, useRef, useState } from 'preact/hooks';
import type { Journey, JourneyLineage, LineageEdge, LineageNode } from '../api.js';
import { Problem } from '../components/problem.js';
import { useLoad } from '../components/use-load.js';
import { useConsole } from '../context.js';
import { journeyFileName } from '../journeys.js';

const KIND_LABELS: Record<string, string> = {
  file: 'uploaded file',
  parsed_file: 'parsed file',
  content: 'stored content',
  insights: 'insights',
  export: 'export',
  dataset: 'dataset',
};
const NODE_WIDTH = 190;
const NODE_HEIGHT = 58;
const GAP_ALONG = 130;
// Room beside a vertical graph for the job names on its arrows.
const LABEL_ROOM = 130;
const GAP_ACROSS = 22;

interface Placed extends LineageNode {
  x: number;
  y: number;
}

/** Layers by longest path from a source, so every edge points forward; a cycle cannot hang it. */
export function layoutLineage(
  lineage: JourneyLineage,
  vertical: boolean,
): { nodes: Placed[]; width: number; height: number } {
  const depth = new Map(lineage.nodes.map((node) => [node.id, 0]));
  for (let pass = 0; pass < lineage.nodes.length; pass += 1) {
    let changed = false;
    for (const edge of lineage.edges) {
      const next = (depth.get(edge.from) ?? 0) + 1;
      if (depth.has(edge.to) && next > (depth.get(edge.to) ?? 0) && next < lineage.nodes.length) {
        depth.set(edge.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const layers: LineageNode[][] = [];
  for (const node of lineage.nodes) {
    const layer = depth.get(node.id) ?? 0;
    layers[layer] = [...(layers[layer] ?? []), node];
  }
  const across = Math.max(1, ...layers.map((layer) => layer?.length ?? 0));
  const nodes: Placed[] = [];
  layers.forEach((layer, layerIndex) => {
    layer?.forEach((node, index) => {
      const offset = ((across - layer.length) * (vertical ? NODE_WIDTH + GAP_ACROSS : NODE_HEIGHT + GAP_ACROSS)) / 2;
      const along = layerIndex * ((vertical ? NODE_HEIGHT : NODE_WIDTH) + (vertical ? GAP_ALONG * 0.6 : GAP_ALONG));
      const side = offset + index * ((vertical ? NODE_WIDTH : NODE_HEIGHT) + GAP_ACROSS);
      nodes.push({ ...node, x: vertical ? side : along, y: vertical ? along : side });
    });
  });
  const width = Math.max(...nodes.map((node) => node.x + NODE_WIDTH), NODE_WIDTH) + (vertical ? LABEL_ROOM : 0);
  const height = Math.max(...nodes.map((node) => node.y + NODE_HEIGHT), NODE_HEIGHT);
  return { nodes, width, height };
}

function shortJob(job: string): string {
  return job.replace(/^data_mash\./, '').replace(/_/g, ' ');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The lineage of the journey's file, from the OpenLineage runs the flow recorded: file → parsed
 * file → stored content → insights, each arrow the job that made its target, with the run's state.
 * The same graph follows as a list, for screen readers and narrow screens.
 */
export function LineagePanel({ journey }: { journey: Journey }) {
  const { api } = useConsole();
  const { value: lineage, error } = useLoad(
    () => api.journeyView(journey.id, 'lineage'),
    [api, journey.id, journey.updatedAt],
  );
  const frame = useRef<HTMLDivElement>(null);
  const [vertical, setVertical] = useState(false);
  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setVertical((entry?.contentRect.width ?? 1000) < 640));
    observer.observe(element);
    return () => observer.disconnect();
  }, [lineage]);
  if (error) return <Problem error={error} />;
  if (!lineage) return <p class="muted">Loading the lineage…</p>;
  if (lineage.nodes.length === 0) {
    return <p class="muted">No lineage yet: the flow recorded no step that made a dataset from this file.</p>;
  }
  const { nodes, width, height } = layoutLineage(lineage, vertical);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const label = (id: string) => byId.get(id)?.label ?? id;
  return (
    <section class="panel" aria-labelledby="lineage-title">
      <h2 id="lineage-title">Lineage</h2>
      <div class="lineage-frame" ref={frame}>
        <svg
          viewBox={`-4 -4 ${width + 8} ${height + 8}`}
          width={width + 8}
          class="lineage-graph"
          role="img"
          aria-labelledby="lineage-title lineage-summary"
          data-testid="lineage-graph"
        >
          <title>The lineage of {journeyFileName(journey) ?? 'this file'}</title>
          <defs>
            <marker
              id="arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" class="lineage-arrowhead" />
            </marker>
          </defs>
          {lineage.edges.map((edge) => (
            <EdgePath key={`${edge.from}>${edge.to}:${edge.job}`} edge={edge} byId={byId} vertical={vertical} />
          ))}
          {nodes.map((node) => (
            <g key={node.id} transform={`translate(${node.x} ${node.y})`} class={`lineage-node node-${node.kind}`}>
              <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx="8" />
              <text x="12" y="22" class="lineage-kind">
                {KIND_LABELS[node.kind] ?? node.kind}
              </text>
              <text x="12" y="42" class="lineage-label">
                <title>{node.label}</title>
                {truncate(node.label, 20)}
              </text>
            </g>
          ))}
        </svg>
      </div>
      <p id="lineage-summary" class="visually-hidden">
        {lineage.edges.map((edge) => `${label(edge.from)} to ${label(edge.to)} by ${shortJob(edge.job)}`).join('; ')}
      </p>
      <h3>Steps</h3>
      <ol class="lineage-steps" data-testid="lineage-steps">
        {lineage.edges.map((edge) => (
          <li key={`${edge.from}>${edge.to}:${edge.job}`}>
            <strong>{shortJob(edge.job)}</strong>: {label(edge.from)} → {label(edge.to)}{' '}
            <span class={`run-state state-${(edge.state ?? 'unknown').toLowerCase()}`}>
              {edge.state ?? 'no run recorded'}
            </span>
            {edge.runId && (
              <span class="muted">
                {' '}
                · run <code>{edge.runId}</code>
              </span>
            )}
          </li>
        ))}
      </ol>
      {lineage.runs.length > 0 && (
        <p class="muted">
          {lineage.runs.length} OpenLineage run{lineage.runs.length === 1 ? '' : 's'}:{' '}
          {lineage.runs.map((run) => `${shortJob(run.job)} (attempt ${run.attempt}, ${run.state})`).join(', ')}.
        </p>
      )}
    </section>
  );
}

function EdgePath({ edge, byId, vertical }: { edge: LineageEdge; byId: Map<string, Placed>; vertical: boolean }) {
  const from = byId.get(edge.from);
  const to = byId.get(edge.to);
  if (!from || !to) return null;
  const [x1, y1] = vertical
    ? [from.x + NODE_WIDTH / 2, from.y + NODE_HEIGHT]
    : [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2];
  const [x2, y2] = vertical ? [to.x + NODE_WIDTH / 2, to.y] : [to.x, to.y + NODE_HEIGHT / 2];
  const bend = vertical
    ? `C ${x1} ${(y1 + y2) / 2} ${x2} ${(y1 + y2) / 2}`
    : `C ${(x1 + x2) / 2} ${y1} ${(x1 + x2) / 2} ${y2}`;
  const failed = edge.state === 'FAIL' || edge.state === 'ABORT';
  return (
    <g class={`lineage-edge ${failed ? 'edge-failed' : ''}`}>
      <path d={`M ${x1} ${y1} ${bend} ${x2} ${y2}`} marker-end="url(#arrow)" />
      <text
        x={(x1 + x2) / 2 + (vertical ? 8 : 0)}
        y={(y1 + y2) / 2 - (vertical ? 0 : 8)}
        text-anchor={vertical ? 'start' : 'middle'}
        class="lineage-job"
      >
        {shortJob(edge.job)}
      </text>
    </g>
  );
}
