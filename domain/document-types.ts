/** The rule that names a file's type from its bytes: never from its name alone, nor from the type the client declared. Pure. */
import { filetypeinfo } from 'magic-bytes.js';
import type { DocumentsPolicy } from './documents';

export type Sniffed = { ok: true; contentType: string } | { ok: false; status: 415; message: string };

/** Types the client may declare that say nothing: the bytes decide. */
const UNDECLARED = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** UTF-8 text with no control characters but tab, CR, LF and form feed: the only files without magic bytes taken. */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') !== bytes.length || text.includes('\ufffd')) return false;
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/**
 * The file's type, named from its bytes. Magic bytes give one or more candidates (a zip may be a docx or an xlsx);
 * the declared type picks among them and must be one of them. Bytes with no signature are taken as text only if they
 * are plain UTF-8, as `text/csv` when so declared (or named `.csv`), else `text/plain`. The type must be allowed.
 */
export function sniffType(bytes: Buffer, declared: string | undefined, filename: string, policy: Pick<DocumentsPolicy, 'allowedTypes'>): Sniffed {
  const want = (declared ?? '').split(';')[0].trim().toLowerCase();
  const magic = [...new Set(filetypeinfo(bytes).flatMap((t) => (t.mime ? [t.mime] : [])))];
  let candidates: string[] = magic;
  if (!filetypeinfo(bytes).length && isPlainText(bytes))
    candidates = want === 'text/csv' || /\.csv$/i.test(filename) ? ['text/csv', 'text/plain'] : ['text/plain'];
  const allowed = new Set<string>(policy.allowedTypes);
  const list = `allowed: ${policy.allowedTypes.join(', ')}`;
  if (!candidates.length) return { ok: false, status: 415, message: `the type of ${filename} cannot be told from its bytes (${list})` };
  if (!UNDECLARED.has(want)) {
    if (!candidates.includes(want))
      return { ok: false, status: 415, message: `${filename} was declared ${want}, but its bytes are ${candidates.join(' or ')}` };
    if (!allowed.has(want)) return { ok: false, status: 415, message: `${filename} is ${want}, which is not an allowed type (${list})` };
    return { ok: true, contentType: want };
  }
  const pick = candidates.find((c) => allowed.has(c));
  if (!pick) return { ok: false, status: 415, message: `${filename} is ${candidates.join(' or ')}, which is not an allowed type (${list})` };
  return { ok: true, contentType: pick };
}
