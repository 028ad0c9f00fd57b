/** Loads and validates the control-list catalogue and the restricted-party list. */
import { readFileSync } from 'node:fs';
import { catalogueSchema, restrictedPartiesSchema, type Catalogue, type RestrictedParties } from '../domain/control-codes';

function loadJson<T>(file: string, what: string, parse: (raw: unknown) => T): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${what} ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  try {
    return parse(raw);
  } catch (err) {
    throw new Error(`${what} ${file} is invalid: ${(err as Error).message}`);
  }
}

export interface ReferenceData {
  catalogue: Catalogue;
  restrictedParties: RestrictedParties;
}

export function loadReferenceData(controlListFile: string, restrictedPartiesFile: string): ReferenceData {
  return {
    catalogue: loadJson(controlListFile, 'CONTROL_LIST_FILE', (raw) => catalogueSchema.parse(raw)),
    restrictedParties: loadJson(restrictedPartiesFile, 'RESTRICTED_PARTIES_FILE', (raw) => restrictedPartiesSchema.parse(raw)),
  };
}
