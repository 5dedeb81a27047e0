import { describe, expect, it } from 'vitest';
import { dataMashFlowTemplate, milestoneStep, parseJourneyTemplate } from './template.js';

describe('journey templates', () => {
  it('ship data_mash_flow with the four milestones, each handing on to the next', () => {
    const template = dataMashFlowTemplate();
    expect(template.name).toBe('data_mash_flow');
    expect(template.milestones.map((milestone) => [milestone.id, milestoneStep(milestone), milestone.output])).toEqual([
      ['file_uploaded', 'content.upload_file', 'file_uploaded@1'],
      ['file_parsed', 'content.parse_file', 'file_parsed@1'],
      ['semantic_processed', 'semantic.store_content', 'semantic_processed@2'],
      ['insights_generated', 'insights.generate', 'insights_generated@1'],
    ]);
  });

  it('accept a custom template with its own milestones', () => {
    const template = parseJourneyTemplate(`
name: invoice_review
version: 2
milestones:
  - id: received
    service: billing.inbox
    api: billing.receive_invoice
    output: invoice_received@1
  - id: approved
    service: billing.approvals
    api: billing.approve
    input: invoice_received@1
    output: invoice_approved@1
    timeoutSeconds: 3600
`);
    expect(template.milestones.map((milestone) => milestone.service)).toEqual(['billing.inbox', 'billing.approvals']);
    // The earlier key `api` names the milestone's step.
    expect(template.milestones.map(milestoneStep)).toEqual(['billing.receive_invoice', 'billing.approve']);
  });

  it('refuse a milestone that names no step', () => {
    expect(() =>
      parseJourneyTemplate('name: x\nversion: 1\nmilestones:\n  - { id: a, output: a_done@1 }\n', 'stepless.yaml'),
    ).toThrow(/milestones\.0\.step: milestone 'a' names no step/);
  });

  it('name the line of a YAML syntax error', () => {
    expect(() => parseJourneyTemplate('name: x\nmilestones: [\n  - id: a\n', 'broken.yaml')).toThrow(
      /journey template broken.yaml is invalid: \(yaml\): .* at line \d+, column \d+/,
    );
  });

  it('name every schema problem by its field, including a broken chain of contracts', () => {
    try {
      parseJourneyTemplate(`
name: Bad Name
version: 1
milestones:
  - id: one
    service: a.b
    api: run
    output: x@1
  - id: one
    service: a.c
    api: run
    input: y@1
    output: z@1
    extra: true
`);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
      const paths = (error as { details: { issues: Array<{ path: string }> } }).details.issues.map(
        (issue) => issue.path,
      );
      expect(paths).toEqual(expect.arrayContaining(['name', 'milestones.1']));
    }
    try {
      parseJourneyTemplate(
        'name: ok\nversion: 1\nmilestones:\n  - {id: one, service: a.b, api: run, output: x@1}\n  - {id: one, service: a.c, api: run, input: y@1, output: z@1}\n',
      );
      expect.unreachable();
    } catch (error) {
      const issues = (error as { details: { issues: Array<{ path: string; message: string }> } }).details.issues;
      expect(issues).toEqual([
        { path: 'milestones.1.id', message: "milestone 'one' appears twice" },
        { path: 'milestones.1.input', message: "takes 'y@1' but milestone 'one' hands on 'x@1'" },
      ]);
    }
    // The name live progress gives the journey as a whole is no milestone's.
    expect(() =>
      parseJourneyTemplate(
        'name: ok\nversion: 1\nmilestones:\n  - {id: journey, service: a.b, api: run, output: x@1}\n',
      ),
    ).toThrow(/'journey' is not a milestone name/);
  });
});
