/**
 * `/v1/openapi.json` and `/v1/docs`: the API's OpenAPI document and Swagger UI
 * over it (swagger-ui-dist's files, with our own start script: the CSP allows
 * scripts from this origin only, no inline script).
 */
import express, { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { unreadable, type Operation } from '../operation';

const INDEX = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>Export-licence review API</title><link rel="stylesheet" href="./swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script>
<script src="./start.js"></script>
</body>
</html>`;

const START = `window.ui = SwaggerUIBundle({ url: '../openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

/** The operation of the document's route below, as the document describes it (the page under /docs is not an operation). */
export const docsOperations: Operation[] = [
  {
    operationId: 'getOpenApiDocument',
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This document',
    roles: {},
    anonymous: 'anyone',
    success: { status: 200, description: 'OpenAPI 3.1' },
    errors: unreadable,
  },
];

export function docsRoutes(document: object): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // The page's own files first, then the bundle's (its petstore initializer is never served: start.js replaces it).
  router.get('/docs', (req, res) => (req.originalUrl.endsWith('/') ? res.type('html').send(INDEX) : res.redirect(301, `${req.baseUrl}/docs/`)));
  router.get('/docs/', (_req, res) => {
    res.type('html').send(INDEX);
  });
  router.get('/docs/start.js', (_req, res) => {
    res.type('application/javascript').send(START);
  });
  router.use('/docs', express.static(getAbsoluteFSPath(), { index: false, fallthrough: false }));
  return router;
}
