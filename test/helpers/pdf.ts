/**
 * PDFs read back the way a person's tools read them: poppler's pdftotext (the text, laid out) and pdftoppm (a page
 * as PNG). scripts/setup.sh --for-tests installs poppler-utils.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function withFile<T>(bytes: Buffer, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'letter-'));
  try {
    const file = path.join(dir, 'letter.pdf');
    writeFileSync(file, bytes);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `pdftotext -layout`: the text as laid out on the pages. */
export function pdfText(bytes: Buffer): Promise<string> {
  return withFile(bytes, async (file) => (await run('/usr/bin/pdftotext', ['-layout', file, '-'])).stdout);
}

/** The text with every run of white space (line breaks, the layout's columns) as one space: fields that wrap still read whole. */
export const flat = (text: string) => text.replace(/\s+/g, ' ');

/** The first page as a PNG at 80 dpi (`pdftoppm -png -r 80 -f 1 -l 1`), written to `out`; returns its bytes. */
export function firstPagePng(bytes: Buffer, out: string): Promise<Buffer> {
  return withFile(bytes, async (file) => {
    const prefix = path.join(path.dirname(file), 'page');
    await run('/usr/bin/pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
    const png = readFileSync(`${prefix}.png`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, png);
    return png;
  });
}

/** `pdfinfo -isodates`: the document's information dictionary, by field (CreationDate, ModDate, Title, Pages…). */
export function pdfInfo(bytes: Buffer): Promise<Record<string, string>> {
  return withFile(bytes, async (file) => {
    const { stdout } = await run('/usr/bin/pdfinfo', ['-isodates', file]);
    return Object.fromEntries(stdout.split('\n').flatMap((l) => (/^([^:]+):\s+(.*)$/.exec(l) ? [[RegExp.$1, RegExp.$2]] : [])));
  });
}
