/** OpenAPI paths of the custom-form endpoints (core/src/api/forms.ts); see docs/forms.md. */
type Json = Record<string, unknown>;

const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (description = 'OK'): Json => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const body = (description: string, required: string[] = []): Json => ({ required: true, content: { 'application/json': { schema: { type: 'object', description, ...(required.length ? { required } : {}) } } } });
const code = { name: 'code', in: 'path', required: true, schema: { type: 'string' } };
const ifMatch = { name: 'If-Match', in: 'header', schema: { type: 'string' }, description: 'The version you read (instead of "version" in the body)' };
const tags = ['forms'];
const invalid = problem('Invalid: errors[] name the place (fields[3].formula, lines[2].amount)');

export const formPaths: Json = {
  '/api/v1/forms': {
    get: {
      tags, summary: 'List form definitions (disabled ones only for those who manage forms)', operationId: 'listForms',
      parameters: [{ name: 'kind', in: 'query', schema: { type: 'string', enum: ['data', 'workflow'] } }, { name: 'enabled', in: 'query', schema: { type: 'boolean' } }],
      responses: { 200: json() },
    },
    post: { tags, summary: 'Create a form (the body is the definition; administrators or a grant on formDefinition)', operationId: 'createForm', requestBody: body('A form definition (docs/forms.md)', ['code', 'kind', 'label', 'fields']), responses: { 201: json('Created'), 400: invalid, 403: problem('May not manage forms'), 409: problem('The code is taken (or belonged to a deleted form)') } },
  },
  '/api/v1/forms/templates': { get: { tags, summary: 'The shipped templates (leave, expense, travel, purchase, overtime, loan, assetBorrow)', operationId: 'formTemplates', responses: { 200: json() } } },
  '/api/v1/forms/validate': { post: { tags, summary: 'Check a definition without saving it: {definition} → {errors}', operationId: 'validateForm', requestBody: body('{"definition": {…}}'), responses: { 200: json() } } },
  '/api/v1/forms/from-template': { post: { tags, summary: 'Create a form from a template: {template, code?, label?, kind?}', operationId: 'formFromTemplate', requestBody: body('Template and overrides', ['template']), responses: { 201: json('Created'), 400: invalid, 409: problem('The code is taken') } } },
  '/api/v1/forms/{code}': {
    get: { tags, summary: 'A form with its definition; ?version=N for an earlier version', operationId: 'getForm', parameters: [code, { name: 'version', in: 'query', schema: { type: 'integer' } }], responses: { 200: json(), 404: problem('No such form') } },
    put: { tags, summary: 'Replace the definition: {version, definition} (optimistic locking); data forms keep how stored fields are typed', operationId: 'updateForm', parameters: [code, ifMatch], requestBody: body('{"version": n, "definition": {…}}', ['definition']), responses: { 200: json(), 400: invalid, 409: problem('Changed by someone else'), 428: problem('No version sent') } },
    delete: { tags, summary: 'Delete a form (its code is never reused; a data form\'s records stay)', operationId: 'deleteForm', parameters: [code, ifMatch], responses: { 204: { description: 'Deleted' }, 404: problem('No such form'), 409: problem('Changed by someone else') } },
  },
  '/api/v1/forms/{code}/versions': { get: { tags, summary: 'Saved versions of a form', operationId: 'formVersions', parameters: [code], responses: { 200: json() } } },
  '/api/v1/forms/{code}/schema': { get: { tags, summary: 'JSON Schema of the form\'s data (computed fields read-only)', operationId: 'formSchema', parameters: [code], responses: { 200: json() } } },
  '/api/v1/forms/{code}/copy': { post: { tags, summary: 'Copy a form: {code, label?}', operationId: 'copyForm', parameters: [code], requestBody: body('The new code', ['code']), responses: { 201: json('Created'), 409: problem('The code is taken') } } },
  '/api/v1/forms/{code}/disable': { post: { tags, summary: 'Disable a form (no new submissions; hidden from users)', operationId: 'disableForm', parameters: [code], responses: { 200: json() } } },
  '/api/v1/forms/{code}/enable': { post: { tags, summary: 'Enable a form', operationId: 'enableForm', parameters: [code], responses: { 200: json() } } },
  '/api/v1/forms/{code}/evaluate': { post: { tags, summary: 'Dry run of a submission {data}: computed values, totals, errors; nothing is stored', operationId: 'evaluateForm', parameters: [code], requestBody: body('{"data": {…}}'), responses: { 200: json() } } },
  '/api/v1/forms/{code}/records': {
    get: { tags, summary: 'Records of a data form (the query language applies; also at /api/v1/form<Code>Records)', operationId: 'listFormRecords', parameters: [code, ...['filter', 'sort', 'limit', 'offset', 'cursor', 'fields', 'expand', 'count'].map((name) => ({ name, in: 'query', schema: { type: 'string' } }))], responses: { 200: json() } },
    post: { tags, summary: 'Submit a record: header fields and the detail rows, saved together; computed fields computed here', operationId: 'createFormRecord', parameters: [code], requestBody: body('The form data (GET /forms/{code}/schema), plus owner/department'), responses: { 201: json('Created'), 400: invalid, 403: problem('No create grant on form<Code>'), 409: problem('A unique value is taken, or not a data form') } },
  },
  '/api/v1/forms/{code}/records/grid': { post: { tags, summary: 'Spreadsheet-style entry: {records: [...]} (at most 1,000), same rules, errors as records[i].field, all or nothing', operationId: 'gridFormRecords', parameters: [code], requestBody: body('{"records": [{…}, …]}', ['records']), responses: { 201: json('Created'), 400: invalid, 409: problem('A unique value is taken') } } },
  '/api/v1/forms/{code}/records/{id}': {
    get: { tags, summary: 'A record with its detail rows (and the totals row as _totals)', operationId: 'getFormRecord', parameters: [code, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: json(), 404: problem('No such record') } },
    patch: { tags, summary: 'Change a record: {version, …fields, <detail>?: rows (with id to keep a row; the list replaces the rows)}', operationId: 'updateFormRecord', parameters: [code, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }, ifMatch], requestBody: body('Changed fields and the version you read'), responses: { 200: json(), 400: invalid, 409: problem('Changed by someone else'), 428: problem('No version sent') } },
    delete: { tags, summary: 'Move a record and its rows to the recycle bin', operationId: 'deleteFormRecord', parameters: [code, { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }, ifMatch], responses: { 204: { description: 'Deleted' }, 404: problem('No such record') } },
  },
};
