/** The type of an upload is named from its bytes (domain/document-types.ts), and the policy's documents section has defaults. */
import { sniffType } from '../../domain/document-types';
import { DOCUMENT_DEFAULTS } from '../../domain/documents';
import { policySchema } from '../../domain/policy';
import { defaultPolicyFile, testPolicy } from '../helpers/policy';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const EXE = Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
const policy = { allowedTypes: [...DOCUMENT_DEFAULTS.allowedTypes] };
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

describe('sniffType', () => {
  it('names a PDF from its bytes, declared or not, whatever its name', () => {
    expect(sniffType(PDF, 'application/pdf', 'spec.pdf', policy)).toEqual({ ok: true, contentType: 'application/pdf' });
    expect(sniffType(PDF, undefined, 'spec', policy)).toEqual({ ok: true, contentType: 'application/pdf' });
    expect(sniffType(PDF, 'application/octet-stream', 'spec.bin', policy)).toEqual({ ok: true, contentType: 'application/pdf' });
  });

  it('refuses a declared type the bytes disagree with, naming both', () => {
    const r = sniffType(PNG, 'application/pdf', 'spec.pdf', policy);
    expect(r).toEqual({ ok: false, status: 415, message: 'spec.pdf was declared application/pdf, but its bytes are image/png or image/apng' });
  });

  it('refuses bytes of no allowed type, and bytes it cannot name', () => {
    expect(sniffType(EXE, undefined, 'setup.exe', policy)).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be told from its bytes/) });
    expect(sniffType(PNG, 'image/png', 'a.png', { allowedTypes: ['application/pdf'] })).toMatchObject({
      ok: false,
      message: 'a.png is image/png, which is not an allowed type (allowed: application/pdf)',
    });
    expect(sniffType(Buffer.from([0, 1, 2, 3, 0xff, 0xfe]), undefined, 'x', policy)).toMatchObject({ ok: false });
  });

  it('takes a zip container as the office type declared among its candidates, and a bare zip not at all', () => {
    expect(sniffType(ZIP, DOCX, 'offer.docx', policy)).toEqual({ ok: true, contentType: DOCX });
    expect(sniffType(ZIP, 'application/zip', 'a.zip', policy)).toMatchObject({ ok: false, message: expect.stringMatching(/not an allowed type/) });
  });

  it('takes plain UTF-8 text as text/plain, or text/csv when so declared or named, and only as a fallback', () => {
    const csv = Buffer.from('destination,quantity\nUS,2\n');
    expect(sniffType(csv, 'text/csv', 'shipments.csv', policy)).toEqual({ ok: true, contentType: 'text/csv' });
    expect(sniffType(csv, undefined, 'shipments.csv', policy)).toEqual({ ok: true, contentType: 'text/csv' });
    expect(sniffType(Buffer.from('Für die Ausfuhr\n'), undefined, 'note.txt', policy)).toEqual({ ok: true, contentType: 'text/plain' });
    expect(sniffType(Buffer.from('%PDF-1.4 but declared text'), 'text/plain', 'x.txt', policy)).toMatchObject({ ok: false });
    expect(sniffType(Buffer.from('text'), 'text/plain', 'x.txt', { allowedTypes: ['application/pdf'] })).toMatchObject({ ok: false });
  });
});

describe("the policy's documents section", () => {
  it('is optional: a policy file without it parses with the defaults', () => {
    const file = defaultPolicyFile();
    delete file.documents;
    expect(policySchema.parse(file).documents).toEqual({ ...DOCUMENT_DEFAULTS });
  });

  it('takes its own limits, and refuses a type it cannot name', () => {
    expect(testPolicy().documents).toEqual({
      allowedTypes: ['application/pdf', 'image/png', 'text/plain', 'text/csv'],
      maxBytes: 256 * 1024,
      maxFiles: 3,
      linkValidFor: 600_000,
    });
    const file = defaultPolicyFile();
    file.documents = { allowedTypes: ['application/x-msdownload' as never] };
    expect(policySchema.safeParse(file).success).toBe(false);
  });
});
