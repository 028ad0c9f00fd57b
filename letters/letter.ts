/**
 * A component's decision letter from the records: the licence once issued, the refusal once refused. The route
 * serves it on request; where the licence is issued (or refused), `letterFor` is what stores it as a document with
 * its hash. The same record gives the same bytes, so the hash names the letter.
 */
import { createHash } from 'node:crypto';
import type { Policy } from '../domain/policy';
import type { Records } from '../records/database';
import { readLetterData, type LetterData, type NoLetter } from './letter-data';
import { letterFilename, renderLetter } from './render-letter';

export interface Letter {
  kind: LetterData['kind'];
  filename: string;
  contentType: 'application/pdf';
  bytes: Buffer;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

export async function letterOf(data: LetterData): Promise<Letter> {
  const bytes = await renderLetter(data);
  return { kind: data.kind, filename: letterFilename(data), contentType: 'application/pdf', bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The letter of a component, or why there is none (`none`: nothing issued or refused yet); undefined: no such component. */
export async function readLetter(records: Records, policy: Policy, projectId: string, componentId: string): Promise<Letter | NoLetter | undefined> {
  const data = await readLetterData(records, policy, projectId, componentId);
  return data && (data.kind === 'none' ? data : letterOf(data));
}

/**
 * The letter to store as a document when a licence is issued or refused: undefined while the component has none.
 * The policy names the appeal body of a refusal (the issuer's, as the policy the project runs under has it).
 */
export async function letterFor(records: Records, projectId: string, componentId: string, policy: Policy): Promise<Letter | undefined> {
  const letter = await readLetter(records, policy, projectId, componentId);
  return letter && letter.kind !== 'none' ? letter : undefined;
}
