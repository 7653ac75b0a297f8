import { createHash, randomBytes } from 'node:crypto';
import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { auditRows, clientFor, createUser } from '../auth/helpers';
import { loadConfig } from '../../core/src/app/config';

const PASSWORD = 'Files-Test-Pass-1';
const LIMIT = 3 * 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describeEachDatabase('file store', (db) => {
  let t: TestPlatform;
  const users: Record<string, { id: number; api: Api }> = {};

  /** Upload raw bytes as `api`'s user. */
  const upload = (api: Api, bytes: Buffer | string, name: string | null, type = 'application/octet-stream', extra: Record<string, string> = {}) =>
    fetch(`${t.platform.url}/api/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': type, ...(name === null ? {} : { 'x-file-name': encodeURIComponent(name) }), ...extra },
      body: bytes,
    });
  const uploadForm = (api: Api, bytes: Buffer, name: string, type: string, more: (form: FormData) => void = () => undefined) => {
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob([bytes], { type }), name);
    more(form);
    return fetch(`${t.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` }, body: form });
  };
  const download = (api: Api, path: string, headers: Record<string, string> = {}) => fetch(`${t.platform.url}${path}`, { headers: { authorization: `Bearer ${api.token}`, ...headers } });
  const stored = async (api: Api, bytes: Buffer | string, name: string, type?: string) => {
    const res = await upload(api, bytes, name, type);
    expect(res.status).toBe(201);
    return (await res.json()) as { id: number; name: string; mimeType: string; size: number; sha256: string; createdBy: number; createdAt: string };
  };
  const fileCount = async () => Number((await t.platform.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM plinth_files'))[0].n);

  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['customers', 'contacts'], env: { UPLOAD_LIMIT: '3mb' } });
    const roles = (await t.api.get('/api/v1/roles?limit=100')).body.data as { id: number; code: string }[];
    for (const [name, role] of [['ann', 'salesRep'], ['bob', 'salesRep'], ['carol', 'auditor']] as const) {
      const id = await createUser(t, name, PASSWORD);
      expect((await t.api.post('/api/v1/userRoles', { user: id, role: roles.find((r) => r.code === role)!.id })).status).toBe(201);
      users[name] = { id, api: await clientFor(t, name, PASSWORD) };
    }
  });
  afterAll(async () => t?.stop());

  describe('upload and download', () => {
    it('stores a raw upload and returns its metadata; the uploader downloads it as an attachment', async () => {
      const bytes = Buffer.from('第一季度报告\n');
      const res = await upload(users.ann.api, bytes, '报告 2026.txt', 'text/plain; charset=utf-8');
      expect(res.status).toBe(201);
      const info = (await res.json()) as any;
      expect(info).toEqual({ id: expect.any(Number), name: '报告 2026.txt', mimeType: 'text/plain', size: bytes.length, sha256: sha(bytes), createdBy: users.ann.id, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      expect(res.headers.get('location')).toBe(`/api/v1/files/${info.id}`);

      const got = await download(users.ann.api, `/api/v1/files/${info.id}`);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
      expect(got.headers.get('content-type')).toBe('text/plain');
      expect(got.headers.get('content-disposition')).toBe(`attachment; filename="?? 2026.txt"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202026.txt`);
      expect(got.headers.get('x-content-type-options')).toBe('nosniff');
      expect(got.headers.get('etag')).toBe(`"${sha(bytes)}"`);
      const again = await download(users.ann.api, `/api/v1/files/${info.id}`, { 'if-none-match': `"${sha(bytes)}"` });
      expect(again.status).toBe(304);

      const audit = (await auditRows(t, 'file-upload')).find((r) => r.record_id === info.id);
      expect(audit).toMatchObject({ user_id: users.ann.id, entity: 'file' });
    });

    it('stores a multipart upload (the one file part) with the part’s name and type', async () => {
      const bytes = randomBytes(5000);
      const res = await uploadForm(users.bob.api, bytes, '照片 1.png', 'image/png');
      expect(res.status).toBe(201);
      const info = (await res.json()) as any;
      expect(info).toMatchObject({ name: '照片 1.png', mimeType: 'image/png', size: 5000, sha256: sha(bytes), createdBy: users.bob.id });
      expect(Buffer.from(await (await download(users.bob.api, `/api/v1/files/${info.id}`)).arrayBuffer())).toEqual(bytes);
    });

    it('round-trips a file of several chunks exactly at the size limit', async () => {
      const bytes = randomBytes(LIMIT);
      const info = await stored(users.ann.api, bytes, 'big.bin');
      expect(info.size).toBe(LIMIT);
      const got = await download(users.ann.api, `/api/v1/files/${info.id}`);
      expect(got.headers.get('content-length')).toBe(String(LIMIT));
      const back = Buffer.from(await got.arrayBuffer());
      expect(back.length).toBe(LIMIT);
      expect(sha(back)).toBe(sha(bytes));
      const chunks = await t.platform.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM plinth_file_chunks WHERE sha256 = ?', [info.sha256]);
      expect(Number(chunks[0].n)).toBe(3);
    });

    it('keeps one copy of a content uploaded twice', async () => {
      const bytes = randomBytes(2000);
      const a = await stored(users.ann.api, bytes, 'a.bin');
      const b = await stored(users.bob.api, bytes, 'b.bin');
      expect(a.id).not.toBe(b.id);
      expect(a.sha256).toBe(b.sha256);
      const contents = await t.platform.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM plinth_file_contents WHERE sha256 = ?', [a.sha256]);
      expect(Number(contents[0].n)).toBe(1);
      expect(Buffer.from(await (await download(users.bob.api, `/api/v1/files/${b.id}`)).arrayBuffer())).toEqual(bytes);
    });

    it('stores an empty file', async () => {
      const info = await stored(users.ann.api, Buffer.alloc(0), 'empty.txt', 'text/plain');
      expect(info.size).toBe(0);
      const got = await download(users.ann.api, `/api/v1/files/${info.id}`);
      expect(got.status).toBe(200);
      expect((await got.arrayBuffer()).byteLength).toBe(0);
    });
  });

  describe('limits and bad requests', () => {
    it('refuses more than UPLOAD_LIMIT with 413 — declared, streamed or multipart — and stores nothing', async () => {
      const before = await fileCount();
      const big = randomBytes(LIMIT + 1);
      const declared = await upload(users.ann.api, big, 'big.bin');
      expect(declared.status).toBe(413);
      expect(((await declared.json()) as any).code).toBe('too-large');

      const streamed = await fetch(`${t.platform.url}/api/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${users.ann.api.token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'stream.bin' },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 4; i++) controller.enqueue(randomBytes(1024 * 1024));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);

      const form = await uploadForm(users.ann.api, big, 'big.bin', 'application/octet-stream');
      expect(form.status).toBe(413);
      expect(await fileCount()).toBe(before);
      const kept = await t.platform.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM plinth_file_contents WHERE sha256 = ?', [sha(big)]);
      expect(Number(kept[0].n)).toBe(0);
    });

    it('answers 400 naming what is wrong', async () => {
      const noName = await upload(users.ann.api, 'x', null);
      expect(noName.status).toBe(400);
      expect(((await noName.json()) as any).errors[0]).toMatchObject({ field: 'X-File-Name', rule: 'required' });
      const badName = await upload(users.ann.api, 'x', null, 'text/plain', { 'x-file-name': '%E0%A4%A' });
      expect(badName.status).toBe(400);
      expect(((await badName.json()) as any).errors[0]).toMatchObject({ field: 'X-File-Name', rule: 'format' });
      const noFile = new FormData();
      noFile.append('note', 'no file here');
      const empty = await fetch(`${t.platform.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${users.ann.api.token}` }, body: noFile });
      expect(empty.status).toBe(400);
      expect(((await empty.json()) as any).errors[0]).toMatchObject({ field: 'file', rule: 'required' });
      const two = await uploadForm(users.ann.api, Buffer.from('one'), 'one.txt', 'text/plain', (f) => f.append('file2', new Blob(['two']), 'two.txt'));
      expect(two.status).toBe(400);
      expect(((await two.json()) as any).errors[0]).toMatchObject({ field: 'file', rule: 'maxItems' });
      expect((await fetch(`${t.platform.url}/api/v1/files`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-file-name': 'a.txt' }, body: 'x' })).status).toBe(401);
      expect((await download(users.ann.api, '/api/v1/files/abc')).status).toBe(400);
    });

    it('makes hostile file names and types harmless', async () => {
      const cases: [string, string][] = [
        ['../../etc/passwd', 'passwd'],
        ['C:\\Windows\\system32\\evil.dll', 'evil.dll'],
        ['a\r\nSet-Cookie: x=1.txt', 'aSet-Cookie_ x=1.txt'],
        ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
        ['报告"2026"<b>.pdf', '报告_2026__b_.pdf'],
        ['...', 'file'],
        ['  .hidden. ', 'hidden'],
        ['\u0000', 'file'],
        [`${'长'.repeat(300)}.pdf`, `${'长'.repeat(251)}.pdf`],
      ];
      for (const [raw, safe] of cases) {
        const info = await stored(users.ann.api, 'x', raw);
        expect(info.name).toBe(safe);
        const got = await download(users.ann.api, `/api/v1/files/${info.id}`);
        expect(got.status).toBe(200);
        const disposition = got.headers.get('content-disposition')!;
        expect(disposition.startsWith('attachment;')).toBe(true);
        expect(disposition).not.toMatch(/[\r\n]/);
        expect(got.headers.get('set-cookie')).toBeNull();
      }
      expect((await stored(users.ann.api, 'x', 'x.bin', 'not a type')).mimeType).toBe('application/octet-stream');
    });

    it('never serves HTML, SVG or scripts as themselves', async () => {
      for (const [type, name] of [['text/html', 'page.html'], ['image/svg+xml', 'logo.svg'], ['application/javascript', 'a.js'], ['application/xhtml+xml', 'p.xhtml'], ['text/xml', 'x.xml']]) {
        const info = await stored(users.ann.api, '<script>alert(1)</script>', name, type);
        expect(info.mimeType).toBe(type);
        const got = await download(users.ann.api, `/api/v1/files/${info.id}`);
        expect(got.headers.get('content-type')).toBe('application/octet-stream');
        expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
        expect(got.headers.get('x-content-type-options')).toBe('nosniff');
        expect(got.headers.get('content-security-policy')).toContain("default-src 'none'");
      }
    });
  });

  describe('who may download', () => {
    it('gives an unattached file to its uploader and administrators only', async () => {
      const info = await stored(users.ann.api, 'ann’s secret', 'secret.txt', 'text/plain');
      for (const name of ['bob', 'carol']) {
        const res = await download(users[name].api, `/api/v1/files/${info.id}`);
        expect(res.status).toBe(404);
      }
      expect((await download(t.api, `/api/v1/files/${info.id}`)).status).toBe(200);
      expect((await download(users.ann.api, '/api/v1/files/99999999')).status).toBe(404);
    });

    it('gives a file held by a record’s file field to whoever may read the record and that field', async () => {
      const CF = '/api/v1/meta/entities/customer/custom-fields';
      for (const spec of [{ name: 'photo', type: 'file' }, { name: 'scans', type: 'files' }]) {
        expect((await t.api.post(CF, { ...spec, label: { 'zh-CN': spec.name, en: spec.name } })).status).toBe(201);
      }
      const photo = await stored(users.ann.api, 'photo bytes', 'photo.jpg', 'image/jpeg');
      const scan1 = await stored(users.ann.api, 'scan one', 'scan1.pdf', 'application/pdf');
      const scan2 = await stored(users.ann.api, 'scan two', 'scan2.pdf', 'application/pdf');
      const loose = await stored(users.ann.api, 'not attached', 'loose.txt', 'text/plain');
      const created = await users.ann.api.post('/api/v1/customers', { customerNo: 'C00000001', name: '张三', kind: 'person', photo: photo.id, scans: [scan1.id, scan2.id] });
      expect(created.status).toBe(201);
      const path = (fileId: number) => `/api/v1/customers/${created.body.id}/files/${fileId}`;

      // carol (auditor) reads every customer: the record's files, not others
      const viaRecord = await download(users.carol.api, path(scan2.id));
      expect(viaRecord.status).toBe(200);
      expect(await viaRecord.text()).toBe('scan two');
      expect(viaRecord.headers.get('content-disposition')).toBe('attachment; filename="scan2.pdf"');
      expect((await download(users.carol.api, path(photo.id))).status).toBe(200);
      expect((await download(users.carol.api, path(loose.id))).status).toBe(404);
      expect((await download(t.api, path(loose.id))).status).toBe(404);
      expect((await download(users.carol.api, `/api/v1/files/${photo.id}`)).status).toBe(404);
      // bob (own customers only) cannot read ann's customer
      expect((await download(users.bob.api, path(photo.id))).status).toBe(404);

      // a role that hides the photo field: its file is out of reach, the scans are not
      const role = await t.api.post('/api/v1/roles', { code: 'noPhoto', name: 'noPhoto' });
      expect((await t.api.post('/api/v1/roleGrants', { role: role.body.id, entity: 'customer', actions: ['read'], scope: 'all', hiddenFields: ['photo'] })).status).toBe(201);
      const dave = await createUser(t, 'dave', PASSWORD);
      expect((await t.api.post('/api/v1/userRoles', { user: dave, role: role.body.id })).status).toBe(201);
      const daveApi = await clientFor(t, 'dave', PASSWORD);
      expect((await download(daveApi, path(photo.id))).status).toBe(404);
      expect((await download(daveApi, path(scan1.id))).status).toBe(200);

      const doc = (await t.api.get('/api/v1/openapi.json')).body;
      expect(doc.paths['/api/v1/customers/{id}/files/{fileId}'].get).toBeDefined();
      expect(doc.paths['/api/v1/contacts/{id}/files/{fileId}']).toBeUndefined();
      expect(doc.paths['/api/v1/files'].post.responses[413]).toBeDefined();
    });

    it('lets a user attach only files they uploaded or the record already holds; administrators any stored file', async () => {
      const annFile = await stored(users.ann.api, 'ann only', 'ann.txt', 'text/plain');
      const annOther = await stored(users.ann.api, 'ann other', 'ann2.txt', 'text/plain');
      const bobFile = await stored(users.bob.api, 'bob file', 'bob.txt', 'text/plain');
      // bob cannot smuggle ann's file into his own record (and then download it through the record)
      const smuggled = await users.bob.api.post('/api/v1/customers', { customerNo: 'C00000002', name: '李四', kind: 'person', photo: annFile.id, scans: [bobFile.id, annOther.id] });
      expect(smuggled.status).toBe(400);
      expect(smuggled.body.errors).toEqual([
        { field: 'photo', rule: 'file', message: `photo: no file ${annFile.id} uploaded by you` },
        { field: 'scans', rule: 'file', message: `scans: no file ${annOther.id} uploaded by you` },
      ]);
      expect((await users.bob.api.post('/api/v1/customers', { customerNo: 'C00000003', name: '李四', kind: 'person', photo: 99999999 })).body.errors[0]).toMatchObject({ field: 'photo', rule: 'file' });
      const bulk = await users.bob.api.post('/api/v1/customers/bulk', { create: [{ customerNo: 'C00000004', name: '王五', kind: 'person', photo: bobFile.id }, { customerNo: 'C00000005', name: '赵六', kind: 'person', photo: annFile.id }] });
      expect(bulk.status).toBe(400);
      expect(bulk.body.errors).toEqual([expect.objectContaining({ field: 'create[1].photo', rule: 'file' })]);

      // an administrator may attach anyone's file, to a record bob owns
      const made = await t.api.post('/api/v1/customers', { customerNo: 'C00000006', name: '钱七', kind: 'person', owner: users.bob.id, photo: annFile.id });
      expect(made.status).toBe(201);
      expect((await t.api.post('/api/v1/customers', { customerNo: 'C00000007', name: '孙八', kind: 'person', photo: 99999999 })).body.errors[0]).toMatchObject({ field: 'photo', rule: 'file', message: 'photo: no file 99999999' });
      // bob keeps (or moves) what the record holds, adds his own, but not another of ann's
      const kept = await users.bob.api.patch(`/api/v1/customers/${made.body.id}`, { version: made.body.version, photo: null, scans: [annFile.id, bobFile.id] });
      expect(kept.status).toBe(200);
      expect(kept.body.scans).toEqual([annFile.id, bobFile.id]);
      const refused = await users.bob.api.patch(`/api/v1/customers/${made.body.id}`, { version: kept.body.version, photo: annOther.id });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0]).toMatchObject({ field: 'photo', rule: 'file' });
      expect((await download(users.bob.api, `/api/v1/customers/${made.body.id}/files/${annFile.id}`)).status).toBe(200);
      expect((await download(users.bob.api, `/api/v1/customers/${made.body.id}/files/${annOther.id}`)).status).toBe(404);
    });
  });
});

describe('UPLOAD_LIMIT', () => {
  it('takes sizes up to 2gb and names the variable otherwise', () => {
    expect(loadConfig({}).uploadLimit).toBe(20 * 1024 * 1024);
    expect(loadConfig({ UPLOAD_LIMIT: '512kb' }).uploadLimit).toBe(512 * 1024);
    expect(loadConfig({ UPLOAD_LIMIT: '2gb' }).uploadLimit).toBe(2 * 1024 ** 3);
    expect(() => loadConfig({ UPLOAD_LIMIT: '3gb' })).toThrow(/UPLOAD_LIMIT/);
    expect(() => loadConfig({ UPLOAD_LIMIT: 'lots' })).toThrow(/UPLOAD_LIMIT/);
  });
});
