import { REPLY_BASE as R } from './shared-schemas';

export const openApiDocumentSchema = {
  $id: `${R}/openapi-document.json`,
  title: 'OpenApiDocument',
  description: 'This document (OpenAPI 3.1).',
  type: 'object',
  required: ['openapi', 'info', 'paths', 'components'],
  properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' }, components: { type: 'object' } },
} as const;
