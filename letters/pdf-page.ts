/**
 * The few shapes a decision letter is made of, drawn with pdfkit's built-in Helvetica (no font files): a letterhead,
 * sections, label/value rows, numbered items and a footer on every page. Deterministic: the document's dates are
 * given (its file id is derived from them), nothing reads the clock or draws random ids, so the same letter gives
 * the same bytes.
 */
import PDFDocument from 'pdfkit';

const MARGIN = 56;
const LABEL_WIDTH = 130;
const GAP = 10;
const INK = '#111111';
const MUTED = '#555555';
const RULE = '#9a9a9a';

/**
 * Helvetica's built-in encoding is WinAnsi: Latin-1 and a few typographic marks. Anything else is written without
 * its accents where that leaves Latin letters, else as "?", rather than as bytes the font cannot show.
 */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
export function winAnsi(text: string): string {
  return [...text]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch) || ch === '\n') return ch;
      const plain = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      return /^[\x20-\x7e]+$/.test(plain) ? plain : '?';
    })
    .join('');
}

/** "2027-01-05T14:03:27.120Z" → "2027-01-05 14:03 UTC": the record's time, the same wherever it is rendered. */
export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export interface LetterMeta {
  title: string;
  author: string;
  subject: string;
  created: string;
  modified: string;
  /** The footer's left part, on every page. */
  footer: string;
}

export class LetterPage {
  readonly doc: PDFKit.PDFDocument;
  private readonly width: number;

  constructor(private readonly meta: LetterMeta) {
    this.doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      bufferPages: true, // the footer numbers pages "n of N"
      info: {
        Title: winAnsi(meta.title),
        Author: winAnsi(meta.author),
        Subject: winAnsi(meta.subject),
        Creator: 'export-review letters',
        CreationDate: new Date(meta.created),
        ModDate: new Date(meta.modified),
      },
    });
    this.width = this.doc.page.width - 2 * MARGIN;
  }

  /** The issuing authority above a rule, then the letter's title and its reference. */
  letterhead(authority: string, regime: string, title: string, reference: string): void {
    const { doc } = this;
    doc.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(winAnsi(authority), { width: this.width });
    doc
      .font('Helvetica')
      .fontSize(9)
      .fillColor(MUTED)
      .text(winAnsi(`Issuing authority under the ${regime} regime`));
    this.rule(1.2);
    doc.moveDown(0.6);
    doc.font('Helvetica-Bold').fontSize(20).fillColor(INK).text(winAnsi(title));
    doc.font('Helvetica').fontSize(11).fillColor(MUTED).text(winAnsi(reference));
    doc.moveDown(0.8);
  }

  section(title: string): void {
    this.keepRoom(60);
    const { doc } = this;
    doc.moveDown(0.6);
    doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(winAnsi(title), MARGIN, doc.y, { width: this.width });
    this.rule(0.5);
    doc.moveDown(0.4);
  }

  /** A label and its value side by side, the value wrapping in its own column. */
  field(label: string, value: string): void {
    this.keepRoom(30);
    const { doc } = this;
    const top = doc.y;
    doc.font('Helvetica-Bold').fontSize(10).fillColor(MUTED).text(winAnsi(label), MARGIN, top, { width: LABEL_WIDTH });
    const labelBottom = doc.y;
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor(INK)
      .text(winAnsi(value), MARGIN + LABEL_WIDTH + GAP, top, { width: this.width - LABEL_WIDTH - GAP });
    doc.x = MARGIN;
    doc.y = Math.max(doc.y, labelBottom) + 3;
  }

  /** A numbered item: its text, and a muted line under it (who set a condition). */
  item(n: number, text: string, note?: string): void {
    this.keepRoom(40);
    const { doc } = this;
    const indent = MARGIN + 22;
    const top = doc.y;
    doc.font('Helvetica-Bold').fontSize(10).fillColor(INK).text(`${n}.`, MARGIN, top, { width: 20 });
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor(INK)
      .text(winAnsi(text), indent, top, { width: this.width - 22 });
    if (note)
      doc
        .font('Helvetica-Oblique')
        .fontSize(9)
        .fillColor(MUTED)
        .text(winAnsi(note), indent, doc.y + 1, { width: this.width - 22 });
    doc.x = MARGIN;
    doc.moveDown(0.4);
  }

  paragraph(text: string): void {
    this.keepRoom(30);
    this.doc.font('Helvetica').fontSize(10).fillColor(INK).text(winAnsi(text), MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.4);
  }

  /** The footer on every page, then the bytes. */
  async bytes(): Promise<Buffer> {
    const { doc } = this;
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve, reject) => {
      doc.on('end', resolve);
      doc.on('error', reject);
    });
    const { start, count } = doc.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      doc.switchToPage(i);
      // Written inside the bottom margin: lifted for the footer, so pdfkit does not start a page for it.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      const y = doc.page.height - MARGIN + 16;
      doc.font('Helvetica').fontSize(8).fillColor(MUTED);
      doc.text(winAnsi(this.meta.footer), MARGIN, y, { width: this.width - 80, lineBreak: false });
      doc.text(`Page ${i - start + 1} of ${count}`, MARGIN + this.width - 80, y, { width: 80, align: 'right', lineBreak: false });
      doc.page.margins.bottom = bottom;
    }
    doc.end();
    await done;
    return Buffer.concat(chunks);
  }

  private rule(weight: number): void {
    const { doc } = this;
    const y = doc.y + 3;
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + this.width, y)
      .lineWidth(weight)
      .strokeColor(RULE)
      .stroke();
    doc.y = y + 3;
  }

  /** A new page unless `height` points are left above the bottom margin (a heading never ends a page). */
  private keepRoom(height: number): void {
    const { doc } = this;
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
  }
}
