/**
 * Issues or revokes a key in a principals file (PRINCIPALS_FILE, config/principals.ts).
 *
 *   npm run principal-key -- --file principals.json --id coordinator:a.weber --name "Anna Weber" --email a.weber@kit.example
 *   npm run principal-key -- --file principals.json --revoke k-0123456789abcdef
 *
 * Issuing adds the principal when it is new (name and e-mail required then) and a key to it, and prints the key
 * once on stdout: only its HMAC-SHA-256 (`hmac-sha256$<salt>$<mac>`) is written. A principal keeps up to 10 keys, so a key can be rotated without
 * a gap. The API reads the file at start-up: restart it (or roll its replicas) after a change.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { hashKey, newFileKey, principalsFileSchema, type PrincipalsFile } from '../config/principals';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main() {
  const { values } = parseArgs({
    options: { file: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, revoke: { type: 'string' } },
  });
  if (!values.file) fail('--file <principals.json> is required');
  const file: PrincipalsFile = existsSync(values.file) ? principalsFileSchema.parse(JSON.parse(readFileSync(values.file, 'utf8'))) : { principals: [] };

  if (values.revoke) {
    const holder = file.principals.find((p) => p.keys.some((k) => k.keyId === values.revoke));
    if (!holder) fail(`no key ${values.revoke} in ${values.file}`);
    holder.keys = holder.keys.filter((k) => k.keyId !== values.revoke);
    save(values.file, file);
    process.stderr.write(`revoked ${values.revoke} of ${holder.id}\n`);
    return;
  }

  if (!values.id) fail('--id admin | coordinator:<userId> | funder:<funderId> | agency:<agencyId> is required');
  let principal = file.principals.find((p) => p.id === values.id);
  if (!principal) {
    if (!values.name || !values.email) fail(`${values.id} is new: give its --name and --email`);
    const [role, scope] = values.id.split(/:(.*)/s);
    principal = {
      id: values.id,
      role: role as PrincipalsFile['principals'][number]['role'],
      ...(scope && { scope }),
      name: values.name,
      email: values.email,
      keys: [],
    };
    file.principals.push(principal);
  } else {
    if (values.name) principal.name = values.name;
    if (values.email) principal.email = values.email;
  }
  const { keyId, key } = newFileKey();
  principal.keys.push({ keyId, hash: hashKey(key.slice(keyId.length + 1)) });
  save(values.file, file);
  process.stderr.write(`issued ${keyId} to ${principal.id}; the key, shown once:\n`);
  process.stdout.write(`${key}\n`);
}

/** Validated before it is written, and written whole (a rename), so a crash never leaves half a file. */
function save(path: string, file: PrincipalsFile) {
  const checked = principalsFileSchema.safeParse(file);
  if (!checked.success) fail(checked.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
  writeFileSync(`${path}.tmp`, `${JSON.stringify(checked.data, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

main().catch((err) => fail(String(err?.message ?? err)));
