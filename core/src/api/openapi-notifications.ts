/** OpenAPI paths of the signed-in user's notifications (core/src/api/notifications.ts); see docs/notifications.md. */
type Json = Record<string, unknown>;

const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const tags = ['notifications'];
const item: Json = {
  type: 'object',
  required: ['id', 'kind', 'title', 'body', 'link', 'sender', 'createdAt', 'readAt'],
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', description: 'flow.task, flow.urge, flow.notify, flow.assist, flow.returned, flow.warning, flow.overdue, flow.completed, flow.rejected, flow.cancelled, script:<name>, message, system' },
    title: { type: 'string' },
    body: { type: ['string', 'null'], description: 'plain text' },
    link: { type: ['string', 'null'], description: 'a path on this site' },
    sender: { type: ['integer', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    readAt: { type: ['string', 'null'], format: 'date-time' },
  },
};
const itemResponse: Json = { description: 'The notification', content: { 'application/json': { schema: item } } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
const notYours = problem('No such notification of yours');

export const notificationPaths: Json = {
  '/api/v1/me/notifications': {
    get: {
      tags, summary: 'Your notifications, newest first', operationId: 'listNotifications',
      parameters: [
        { name: 'unread', in: 'query', schema: { type: 'string', enum: ['1', '0', 'true', 'false'] }, description: 'only unread ones' },
        { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
      ],
      responses: {
        200: { description: 'A page', content: { 'application/json': { schema: { type: 'object', required: ['data', 'page', 'limit', 'total', 'unread'], properties: { data: { type: 'array', items: item }, page: { type: 'integer' }, limit: { type: 'integer' }, total: { type: 'integer' }, unread: { type: 'integer' } } } } } },
        400: problem('A parameter is invalid: errors[] name it'),
      },
    },
  },
  '/api/v1/me/notifications/count': {
    get: { tags, summary: 'How many of your notifications are unread', operationId: 'countNotifications', responses: { 200: { description: 'The count', content: { 'application/json': { schema: { type: 'object', properties: { unread: { type: 'integer' } } } } } } } },
  },
  '/api/v1/me/notifications/stream': {
    get: {
      tags, summary: 'Server-Sent Events: `notifications` events {unread, newest} at connection and whenever your notifications change (on any node)', operationId: 'streamNotifications',
      responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 429: problem('Too many open streams') },
    },
  },
  '/api/v1/me/notifications/read-all': {
    post: { tags, summary: 'Mark all your notifications read', operationId: 'readAllNotifications', responses: { 200: { description: 'How many were unread', content: { 'application/json': { schema: { type: 'object', properties: { marked: { type: 'integer' } } } } } } } },
  },
  '/api/v1/me/notifications/{id}': {
    get: { tags, summary: 'One of your notifications', operationId: 'getNotification', parameters: [id], responses: { 200: itemResponse, 404: notYours } },
  },
  '/api/v1/me/notifications/{id}/read': {
    post: { tags, summary: 'Mark one of your notifications read', operationId: 'readNotification', parameters: [id], responses: { 200: itemResponse, 404: notYours } },
  },
};
