/**
 * Files in requests: multipart/form-data read by multer into memory (bounded by the policy's size and count limits),
 * each file's type named from its bytes and checked against the policy's allowed types before anything is stored.
 * A refused file is a 413 (too large) or a 415 (a type not allowed, or not the one declared) naming it; nothing is
 * stored and nothing is sent on. Routes then keep the files through `Documents` (storage/documents.ts).
 *
 * The POSTs that took JSON before (answers to information requests, appeals, compliance reports) take the same JSON
 * as a form too: the fields as text parts (`stepId`, `answer`…), or the whole JSON object in one part named `body`,
 * with the files in parts named `file`.
 */
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { sniffType } from '../domain/document-types';
import type { DocumentsPolicy } from '../domain/documents';
import type { DocumentRecord } from '../records/documents';
import { cleanFilename, DocumentRefused, type Documents, type NewDocument, type StagedDocument } from '../storage/documents';
import { ApiError } from './errors';
import { unstorableText } from './storable-text';

/** A file of the request, its type named from its bytes. */
export interface Upload {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** What an answer to an upload says of each document. */
export const documentSummary = (d: DocumentRecord) => ({
  documentId: d.documentId,
  filename: d.filename,
  kind: d.kind,
  sha256: d.sha256,
  contentType: d.contentType,
  size: d.size,
});

/** multer's refusals as the error contract. */
function multerError(err: unknown, policy: DocumentsPolicy): ApiError {
  if (!(err instanceof multer.MulterError)) return err instanceof ApiError ? err : new ApiError('VALIDATION_FAILED', 'the form could not be read');
  const at = [{ path: `body.${err.field ?? 'file'}`, message: err.message }];
  switch (err.code) {
    case 'LIMIT_FILE_SIZE':
      return new ApiError('PAYLOAD_TOO_LARGE', `the file in part "${err.field}" is larger than the policy's limit of ${policy.maxBytes} bytes`, [
        { path: `body.${err.field ?? 'file'}`, message: `larger than ${policy.maxBytes} bytes` },
      ]);
    case 'LIMIT_FILE_COUNT':
      return new ApiError('VALIDATION_FAILED', `at most ${policy.maxFiles} file(s) in one request`, at);
    case 'LIMIT_UNEXPECTED_FILE':
      return new ApiError('VALIDATION_FAILED', `files go in parts named "file", not "${err.field}"`, at);
    default:
      return new ApiError('VALIDATION_FAILED', `the form could not be read: ${err.message}`, at);
  }
}

export class Uploads {
  constructor(
    readonly documents: Documents,
    readonly policy: DocumentsPolicy,
  ) {}

  /**
   * Reads a multipart request (others pass untouched): its text parts become `req.body` (a part named `body` holding
   * JSON stands for the whole body), its files `res.locals.uploads`, each checked. At most `maxFiles` files.
   */
  form(maxFiles = this.policy.maxFiles): RequestHandler {
    const parse = multer({
      storage: multer.memoryStorage(),
      defParamCharset: 'utf8',
      limits: { fileSize: this.policy.maxBytes, files: maxFiles, fields: 20, fieldSize: 64 * 1024, parts: maxFiles + 20 },
    }).array('file', maxFiles);
    return (req, res, next) => {
      res.locals.uploads = [];
      if (!req.is('multipart/form-data')) return next();
      parse(req, res, (err?: unknown) => {
        if (err) return next(multerError(err, this.policy));
        try {
          req.body = formBody(req);
          res.locals.uploads = ((req.files as Express.Multer.File[] | undefined) ?? []).map((f) => this.check(f));
          next();
        } catch (e) {
          next(e);
        }
      });
    };
  }

  private check(file: Express.Multer.File): Upload {
    const filename = cleanFilename(file.originalname);
    if (file.size === 0) throw new ApiError('VALIDATION_FAILED', `${filename} is empty`, [{ path: 'body.file', message: 'an empty file' }]);
    const sniffed = sniffType(file.buffer, file.mimetype, filename, this.policy);
    if (!sniffed.ok) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', sniffed.message, [{ path: 'body.file', message: sniffed.message }]);
    return { filename, contentType: sniffed.contentType, bytes: file.buffer };
  }

  /** Keeps the request's files as documents (after the route's act succeeded); none for a JSON request. */
  async keep(res: Response, doc: Omit<NewDocument, 'filename' | 'contentType' | 'bytes'>): Promise<DocumentRecord[]> {
    const kept: DocumentRecord[] = [];
    for (const upload of uploadsOf(res)) kept.push(await refusedAsError(this.documents.add({ ...doc, ...upload })));
    return kept;
  }

  /** The request's file staged (storage/documents.ts `stage`) for an act that cites it; none when it carried no file. */
  async stage(res: Response, doc: Omit<NewDocument, 'filename' | 'contentType' | 'bytes'>): Promise<StagedDocument | undefined> {
    const [upload] = uploadsOf(res);
    return upload && refusedAsError(this.documents.stage({ ...doc, ...upload }));
  }
}

/** The virus scan's refusal as a 400 naming the file. */
async function refusedAsError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof DocumentRefused) throw new ApiError('VALIDATION_FAILED', err.message, [{ path: 'body.file', message: err.message }]);
    throw err;
  }
}

/** The files a request carried, checked (empty when it carried none, or before `form` ran). */
export const uploadsOf = (res: Response): Upload[] => (res.locals.uploads as Upload[] | undefined) ?? [];

/** The text parts as the body: the JSON of a `body` part, or the parts themselves; text the records cannot keep is a 400. */
function formBody(req: Request): unknown {
  const fields: Record<string, unknown> = { ...(req.body as Record<string, unknown>) };
  let body: unknown = fields;
  if (typeof fields.body === 'string') {
    if (Object.keys(fields).length > 1) throw new ApiError('VALIDATION_FAILED', 'a form with a "body" part carries no other text part', []);
    try {
      body = JSON.parse(fields.body);
    } catch {
      throw new ApiError('VALIDATION_FAILED', 'the "body" part is not valid JSON', [{ path: 'body.body', message: 'malformed JSON' }]);
    }
  }
  const details = unstorableText(body, 'body');
  if (details.length) throw new ApiError('VALIDATION_FAILED', `invalid request: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
  return body;
}

type StepRef = { workflowId: string; stepId: string; componentId?: string };

/** For routes whose files are optional: the form reader and the keeping, or nothing when the app has no uploads. */
export function optionalFiles(uploads: Uploads | undefined) {
  const keep = async (res: Response, doc: Omit<NewDocument, 'filename' | 'contentType' | 'bytes'>) =>
    uploads ? (await uploads.keep(res, doc)).map(documentSummary) : [];
  return {
    form: uploads ? uploads.form() : (((_req, _res, next) => next()) as RequestHandler),
    /** The kept documents' summaries, for the answer (none for a JSON request). */
    keep,
    /** The files of an answer to a request for information or of an appeal, attached to its step. */
    forStep: (res: Response, projectId: string, step: StepRef, type: 'info-answer' | 'appeal', uploadedBy: string) =>
      keep(res, {
        projectId,
        componentId: step.componentId,
        kind: type === 'appeal' ? 'appeal' : 'information-answer',
        attachedTo: { type, id: `${step.workflowId}/${step.stepId}` },
        stepId: step.stepId,
        uploadedBy,
        channel: 'api',
      }),
  };
}
