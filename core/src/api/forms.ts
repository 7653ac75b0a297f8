import type Router from '@koa/router';
import type { Context } from 'koa';
import { ValidationError, type Actor, type FormKind } from '@plinth/sdk';
import type { FormService } from '../forms/service';
import type { StoredForm } from '../forms/repository';
import { documentSchema, listFormTemplates, processSubmission, type SubmissionOptions } from '../forms';
import type { FormRecords } from '../forms/records';
import { expectedVersion, objectBody } from './records';
import { parseId, parseListQuery } from './params';

const etag = (version: number) => `"${version}"`;

const view = (f: StoredForm) => ({
  id: f.id,
  code: f.code,
  kind: f.kind,
  version: f.version,
  enabled: f.enabled,
  template: f.template,
  definition: f.definition,
  createdAt: f.createdAt,
  createdBy: f.createdBy,
  updatedAt: f.updatedAt,
  updatedBy: f.updatedBy,
});

/** Options of a request's submission: the language of rule messages from Accept-Language. */
export function submissionOptions(ctx: Context, base: SubmissionOptions = {}): SubmissionOptions {
  const lang = ctx.get('accept-language').toLowerCase();
  return { ...base, language: lang.startsWith('zh-tw') || lang.startsWith('zh-hant') ? 'zh-TW' : lang.startsWith('zh') ? 'zh-CN' : 'en' };
}

/**
 * Form definitions (自定义表单): `/api/v1/forms`. Everyone signed in reads enabled forms
 * (to fill them in); administrators — or roles granted `formDefinition` — manage them.
 */
export function formRoutes(router: Router, forms: FormService, records: FormRecords, base: () => Pick<SubmissionOptions, 'timeZone' | 'dictionaries'>): void {
  const actor = (ctx: Context) => ctx.state.actor as Actor;

  router.get('/forms', async (ctx) => {
    const kind = ctx.query.kind;
    if (kind !== undefined && kind !== 'data' && kind !== 'workflow') throw new ValidationError([{ field: 'kind', rule: 'enum', message: 'kind is data or workflow' }]);
    const enabled = ctx.query.enabled === undefined ? undefined : ctx.query.enabled === 'true';
    ctx.body = { data: await forms.list(actor(ctx), { kind: kind as FormKind | undefined, enabled }) };
  });
  router.get('/forms/templates', (ctx) => {
    ctx.body = { data: listFormTemplates() };
  });
  router.post('/forms/validate', (ctx) => {
    const body = objectBody(ctx);
    ctx.body = { errors: forms.validate(body.definition ?? body) };
  });
  router.post('/forms/from-template', async (ctx) => {
    const body = objectBody(ctx);
    if (typeof body.template !== 'string') throw new ValidationError([{ field: 'template', rule: 'required', message: 'template is required' }]);
    const form = await forms.fromTemplate(actor(ctx), body.template, body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/forms/${form.code}`);
    ctx.set('ETag', etag(form.version));
    ctx.body = view(form);
  });
  router.post('/forms', async (ctx) => {
    const form = await forms.create(actor(ctx), objectBody(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/forms/${form.code}`);
    ctx.set('ETag', etag(form.version));
    ctx.body = view(form);
  });
  router.get('/forms/:code', async (ctx) => {
    const version = ctx.query.version;
    const form = await forms.get(actor(ctx), ctx.params.code);
    if (typeof version === 'string') {
      if (!/^\d{1,9}$/.test(version)) throw new ValidationError([{ field: 'version', rule: 'type', message: 'version must be a positive integer' }]);
      ctx.body = { code: form.code, version: Number(version), definition: await forms.definition(form.code, Number(version)) };
      return;
    }
    ctx.set('ETag', etag(form.version));
    ctx.body = view(form);
  });
  router.get('/forms/:code/versions', async (ctx) => {
    ctx.body = { data: await forms.versions(actor(ctx), ctx.params.code) };
  });
  router.get('/forms/:code/schema', async (ctx) => {
    ctx.body = documentSchema((await forms.get(actor(ctx), ctx.params.code)).definition);
  });
  router.put('/forms/:code', async (ctx) => {
    const body = objectBody(ctx);
    const version = expectedVersion(ctx, body, true)!;
    const definition = body.definition;
    if (definition === undefined) throw new ValidationError([{ field: 'definition', rule: 'required', message: 'Send {"version": <the version you read>, "definition": {…}}' }]);
    const form = await forms.update(actor(ctx), ctx.params.code, definition, version);
    ctx.set('ETag', etag(form.version));
    ctx.body = view(form);
  });
  router.post('/forms/:code/copy', async (ctx) => {
    const body = objectBody(ctx);
    const form = await forms.copy(actor(ctx), ctx.params.code, body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/forms/${form.code}`);
    ctx.body = view(form);
  });
  router.post('/forms/:code/disable', async (ctx) => {
    ctx.body = view(await forms.setEnabled(actor(ctx), ctx.params.code, false));
  });
  router.post('/forms/:code/enable', async (ctx) => {
    ctx.body = view(await forms.setEnabled(actor(ctx), ctx.params.code, true));
  });
  router.delete('/forms/:code', async (ctx) => {
    await forms.delete(actor(ctx), ctx.params.code, expectedVersion(ctx, undefined, false));
    ctx.status = 204;
  });
  // A dry run of a submission: computed fields, hidden fields, errors — nothing is stored.
  router.post('/forms/:code/evaluate', async (ctx) => {
    const form = await forms.get(actor(ctx), ctx.params.code);
    const body = objectBody(ctx);
    ctx.body = processSubmission(form.definition, body.data ?? {}, submissionOptions(ctx, base()));
  });

  // ---- records of data forms -------------------------------------------------------
  const recordPath = (code: string, id: number) => `/api/v1/forms/${code}/records/${id}`;
  router.get('/forms/:code/records', async (ctx) => {
    ctx.body = await records.list(actor(ctx), ctx.params.code, parseListQuery(ctx.query));
  });
  router.post('/forms/:code/records/grid', async (ctx) => {
    const created = await records.grid(actor(ctx), ctx.params.code, objectBody(ctx), submissionOptions(ctx));
    ctx.status = 201;
    ctx.body = { data: created };
  });
  router.post('/forms/:code/records', async (ctx) => {
    const rec = await records.create(actor(ctx), ctx.params.code, objectBody(ctx), submissionOptions(ctx));
    ctx.status = 201;
    ctx.set('Location', recordPath(ctx.params.code, rec.id));
    ctx.set('ETag', etag(rec.version));
    ctx.body = rec;
  });
  router.get('/forms/:code/records/:id', async (ctx) => {
    const rec = await records.get(actor(ctx), ctx.params.code, parseId(ctx.params.id));
    ctx.set('ETag', etag(rec.version));
    ctx.body = rec;
  });
  router.patch('/forms/:code/records/:id', async (ctx) => {
    const body = objectBody(ctx);
    const version = expectedVersion(ctx, body, true)!;
    const { version: _v, ...patch } = body;
    const rec = await records.update(actor(ctx), ctx.params.code, parseId(ctx.params.id), patch, version, submissionOptions(ctx));
    ctx.set('ETag', etag(rec.version));
    ctx.body = rec;
  });
  router.delete('/forms/:code/records/:id', async (ctx) => {
    await records.delete(actor(ctx), ctx.params.code, parseId(ctx.params.id), expectedVersion(ctx, undefined, false));
    ctx.status = 204;
  });
}
