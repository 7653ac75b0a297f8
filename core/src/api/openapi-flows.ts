/** OpenAPI paths of the flow engine (core/src/api/flows.ts); see docs/flows.md. */
type Json = Record<string, unknown>;

const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (description = 'OK'): Json => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const svg: Json = { description: 'SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } };
const body = (description: string, required: string[] = []): Json => ({ required: true, content: { 'application/json': { schema: { type: 'object', description, ...(required.length ? { required } : {}) } } } });
const optionalBody = (description: string): Json => ({ required: false, content: { 'application/json': { schema: { type: 'object', description } } } });
const code = { name: 'code', in: 'path', required: true, schema: { type: 'string' } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
const page = [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } }, { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } }];
const tags = ['flows'];
const invalid = problem('Invalid: errors[] name the place (nodes[3].handlers, edges[1].when, route[0].kind, data fields)');
const decided = problem('The task was already decided, or the instance moved on');
const stuck = problem('422: the flow cannot go on (no handler found with onNobody "error", no branch holds, a script failed)');
const comment = 'comment (≤ 2,000 characters), attachments (file ids)';

const taskAction = (summary: string, operationId: string, extra = ''): Json => ({
  post: { tags, summary, operationId, parameters: [id], requestBody: optionalBody(`${comment}${extra}`), responses: { 200: json('The task'), 400: invalid, 403: problem('Not your task'), 404: problem('No such task'), 409: decided, 422: stuck } },
});
const instanceAction = (summary: string, operationId: string, extra = ''): Json => ({
  post: { tags, summary, operationId, parameters: [id], requestBody: optionalBody(`${comment}${extra}`), responses: { 200: json('The instance'), 400: invalid, 403: problem('Not allowed'), 404: problem('No such instance'), 409: decided, 422: stuck } },
});

export const flowPaths: Json = {
  '/api/v1/flows/definitions': {
    get: { tags, summary: 'Flow definitions (disabled ones only for those who manage flows)', operationId: 'listFlows', responses: { 200: json() } },
    post: { tags, summary: 'Create a flow definition (administrators or a grant on flowDefinition)', operationId: 'createFlow', requestBody: body('A flow definition (docs/flows.md)', ['code', 'label', 'model', 'nodes', 'edges']), responses: { 201: json('Created'), 400: invalid, 403: problem('May not manage flows'), 409: problem('The code is taken') } },
  },
  '/api/v1/flows/templates': { get: { tags, summary: 'The shipped flow templates', operationId: 'flowTemplates', responses: { 200: json() } } },
  '/api/v1/flows/definitions/validate': { post: { tags, summary: 'Check a definition without saving it: {definition} → {errors}', operationId: 'validateFlow', requestBody: body('{"definition": {…}}'), responses: { 200: json() } } },
  '/api/v1/flows/definitions/from-template': { post: { tags, summary: 'Create a flow from a template {template, code?, label?}; its form is created too when missing', operationId: 'flowFromTemplate', requestBody: body('Template and overrides', ['template']), responses: { 201: json('Created'), 400: invalid, 409: problem('The code is taken') } } },
  '/api/v1/flows/definitions/{code}': {
    get: { tags, summary: 'A flow definition; ?version=N for an earlier version', operationId: 'getFlow', parameters: [code, { name: 'version', in: 'query', schema: { type: 'integer' } }], responses: { 200: json(), 404: problem('No such flow') } },
    put: { tags, summary: 'Replace the definition {version, definition}; running instances keep their version', operationId: 'updateFlow', parameters: [code], requestBody: body('{"version": n, "definition": {…}}', ['definition']), responses: { 200: json(), 400: invalid, 409: problem('Changed by someone else'), 428: problem('No version sent') } },
    delete: { tags, summary: 'Delete a flow (its code is never reused)', operationId: 'deleteFlow', parameters: [code], responses: { 204: { description: 'Deleted' }, 404: problem('No such flow') } },
  },
  '/api/v1/flows/definitions/{code}/versions': { get: { tags, summary: 'Saved versions', operationId: 'flowVersions', parameters: [code], responses: { 200: json() } } },
  '/api/v1/flows/definitions/{code}/copy': { post: { tags, summary: 'Copy a flow {code, label?}', operationId: 'copyFlow', parameters: [code], requestBody: body('The new code', ['code']), responses: { 201: json('Created'), 409: problem('The code is taken') } } },
  '/api/v1/flows/definitions/{code}/enable': { post: { tags, summary: 'Enable a flow', operationId: 'enableFlow', parameters: [code], responses: { 200: json() } } },
  '/api/v1/flows/definitions/{code}/disable': { post: { tags, summary: 'Disable a flow (no new instances)', operationId: 'disableFlow', parameters: [code], responses: { 200: json() } } },
  '/api/v1/flows/definitions/{code}/graph.svg': { get: { tags, summary: 'The graphical view of a definition', operationId: 'flowSvg', parameters: [code, { name: 'version', in: 'query', schema: { type: 'integer' } }], responses: { 200: svg } } },
  '/api/v1/flows/definitions/{code}/statistics': { get: { tags, summary: 'Instances by status and duration; per node visits, avg and p90 duration, overdue rate', operationId: 'flowStatistics', parameters: [code], responses: { 200: json(), 403: problem('Not a flow administrator') } } },
  '/api/v1/flows/definitions/{code}/my-choice': { get: { tags, summary: 'Predefined model: the handlers the caller saved last time', operationId: 'flowChoice', parameters: [code], responses: { 200: json() } } },
  '/api/v1/flows/instances': {
    get: {
      tags, summary: 'Instances for monitoring: all for flow administrators, else those you started or had a task on', operationId: 'listFlowInstances',
      parameters: [{ name: 'flow', in: 'query', schema: { type: 'string' } }, { name: 'status', in: 'query', schema: { type: 'string', enum: ['running', 'completed', 'rejected', 'cancelled'] } }, { name: 'overdue', in: 'query', schema: { type: 'boolean' }, description: 'only instances with an open node past its overdue line' }, ...page],
      responses: { 200: json(), 400: invalid },
    },
    post: {
      tags, summary: 'Start a flow: {flow | form | entity, data | recordId, title?, handlers?, saveChoice?, useSavedChoice?, route?}', operationId: 'startFlow',
      requestBody: body('flow: a code, or form/entity to have one assigned by rules; data: the form submission; recordId: the entity record; handlers (predefined model); route (custom model)'),
      responses: { 201: json('The instance'), 400: invalid, 403: problem('May not start it, or read the record'), 404: problem('No such flow, or none assigned'), 422: stuck },
    },
  },
  '/api/v1/flows/instances/{id}': { get: { tags, summary: 'An instance with its data snapshot, node visits and tasks', operationId: 'getFlowInstance', parameters: [id], responses: { 200: json(), 404: problem('No such instance (or not visible)') } } },
  '/api/v1/flows/instances/{id}/trail': { get: { tags, summary: 'The trail: every event (who, what, when, comment, time taken)', operationId: 'flowTrail', parameters: [id], responses: { 200: json() } } },
  '/api/v1/flows/instances/{id}/graph.svg': { get: { tags, summary: 'The graph with current (orange) and completed (green) nodes', operationId: 'flowInstanceSvg', parameters: [id], responses: { 200: svg } } },
  '/api/v1/flows/instances/{id}/withdraw': instanceAction('Withdraw (initiator, before anyone has acted since the last submission): back to the initiator', 'withdrawFlow'),
  '/api/v1/flows/instances/{id}/cancel': instanceAction('Cancel (initiator or flow administrator)', 'cancelFlow'),
  '/api/v1/flows/instances/{id}/jump': instanceAction('Jump to a node (flow administrator)', 'jumpFlow', '; to: node key'),
  '/api/v1/flows/instances/{id}/urge': instanceAction('Urge the pending handlers (initiator or flow administrator)', 'urgeFlow'),
  '/api/v1/flows/instances/{id}/comments': instanceAction('Comment with attachments', 'commentFlow'),
  '/api/v1/flows/tasks/{id}/approve': taskAction('Agree (approval task)', 'approveTask', '; data: changed form fields'),
  '/api/v1/flows/tasks/{id}/reject': taskAction('Reject (approval task)', 'rejectTask'),
  '/api/v1/flows/tasks/{id}/complete': taskAction('Done (handling task), with a work report', 'completeTask', '; report: {completion, effortHours, cost, note, attachments}; data: changed form fields'),
  '/api/v1/flows/tasks/{id}/return': taskAction('Return to an earlier node or the initiator', 'returnTask', '; to: node key or "initiator" (default)'),
  '/api/v1/flows/tasks/{id}/resubmit': taskAction('Resubmit a returned request (initiator)', 'resubmitTask', '; data: corrected form fields'),
  '/api/v1/flows/tasks/{id}/read': taskAction('Mark a notice read', 'readTask'),
  '/api/v1/flows/tasks/{id}/assist': taskAction('Ask others for an opinion (协办)', 'assistTask', '; users: user ids'),
  '/api/v1/flows/tasks/{id}/reply': taskAction('Answer an assist request', 'replyTask'),
  '/api/v1/flows/tasks/{id}/delegate': taskAction('Hand the task to someone (委办)', 'delegateTask', '; to: user id'),
  '/api/v1/flows/tasks/{id}/add-handlers': taskAction('Add handlers to the node (加签)', 'addHandlers', '; users: user ids'),
  '/api/v1/flows/inbox/counts': { get: { tags, summary: 'Counts: todo, done, started, cc, ccUnread, urged', operationId: 'flowInboxCounts', responses: { 200: json() } } },
  '/api/v1/flows/inbox/{box}': { get: { tags, summary: 'Inbox: todo, done, started or cc', operationId: 'flowInbox', parameters: [{ name: 'box', in: 'path', required: true, schema: { type: 'string', enum: ['todo', 'done', 'started', 'cc'] } }, ...page], responses: { 200: json() } } },
  '/api/v1/flows/work-log': { get: { tags, summary: 'Work reports filed on handling tasks (yours; ?user= for flow administrators)', operationId: 'flowWorkLog', parameters: [{ name: 'user', in: 'query', schema: { type: 'integer' } }, ...page], responses: { 200: json() } } },
  '/api/v1/flows/delegations': {
    get: { tags, summary: 'Your standing delegations', operationId: 'listFlowDelegations', responses: { 200: json() } },
    post: { tags, summary: 'Delegate your tasks while away {delegate, startsAt, endsAt, flow?}', operationId: 'createFlowDelegation', requestBody: body('delegate: user id; startsAt, endsAt: ISO date-times; flow: a code or all', ['delegate', 'startsAt', 'endsAt']), responses: { 201: json('Created'), 400: invalid } },
  },
  '/api/v1/flows/delegations/{id}': { delete: { tags, summary: 'End a delegation', operationId: 'deleteFlowDelegation', parameters: [id], responses: { 204: { description: 'Deleted' }, 404: problem('No such delegation') } } },
};
