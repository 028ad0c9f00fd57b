/** The funder's tranche conditions (domain/tranche-conditions.ts): which apply, and which are outstanding at a cycle's close. */
import { conditionApplies, outstandingConditions } from '../../domain/tranche-conditions';
import type { Component } from '../../domain/project';
import { testPolicy } from '../helpers/policy';

const conditions = testPolicy().funders.find((f) => f.id === 'horizon-eu')!.trancheConditions;
const component = (controlCodes: string[], access: string[] = ['ines']): Component => ({
  ...{ id: 'c1', name: 'Design data', description: '', controlCodes, endUse: 'civilian-research', destinations: ['US'], recipients: ['ornl'] },
  access,
});
const close = Date.parse('2027-01-01T00:00:00Z');
const ines = (expiresAt?: string) => ({ id: 'ines', name: 'Ines Kraus', training: expiresAt ? [{ expiresAt }] : [] });
const all = new Set(['ethics-deliverable', 'security-deliverable']);

test('each requiredWhen: controlled technology (a D or E code), any listed item, always', () => {
  const project = (codes: string[]) => ({ components: [component(codes)] });
  expect(conditionApplies({ requiredWhen: 'controlled-technology' }, project(['3E001']))).toBe(true);
  expect(conditionApplies({ requiredWhen: 'controlled-technology' }, project(['3A001']))).toBe(false);
  expect(conditionApplies({ requiredWhen: 'listed-items' }, project(['3A001']))).toBe(true);
  expect(conditionApplies({ requiredWhen: 'listed-items' }, project(['EAR99']))).toBe(false);
  expect(conditionApplies({ requiredWhen: 'always' }, project([]))).toBe(true);
});

test('nothing outstanding for goods; for technology, each missing deliverable and each person without a certificate valid at the close', () => {
  expect(outstandingConditions(conditions, { components: [component(['3A001'])] }, [ines()], new Set(), close)).toEqual([]);
  const tech = { components: [component(['3E001'])] };
  expect(outstandingConditions(conditions, tech, [ines('2028-01-01T00:00:00Z')], all, close)).toEqual([]);
  expect(outstandingConditions(conditions, tech, [ines('2028-01-01T00:00:00Z')], new Set(['security-deliverable']), close)).toEqual([
    {
      conditionId: 'ethics-deliverable',
      owedBy: 'the coordinator',
      detail: 'Ethics deliverable (ethics appraisal: dual use, misuse of research results) not received, owed by the coordinator',
    },
  ]);
  const [expired] = outstandingConditions(conditions, tech, [ines('2026-12-31T00:00:00Z')], all, close);
  expect(expired.detail).toContain("Ines Kraus's certificate expired 2026-12-31T00:00:00Z at 2027-01-01T00:00:00.000Z, owed by the coordinator");
  expect(outstandingConditions(conditions, tech, [ines()], all, close)[0].detail).toContain('Ines Kraus has no certificate');
  // Someone without access to the technology owes no certificate.
  expect(outstandingConditions(conditions, { components: [component(['3E001'], [])] }, [ines()], all, close)).toEqual([]);
});
