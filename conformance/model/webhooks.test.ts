import { describe, expect, it } from 'vitest';
import { WebhookModel, type ModelWebhook } from './webhooks.js';

const stored: ModelWebhook = {
  id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
  created_at: '2021-07-21T14:10:00.00Z',
  updated_at: '2021-07-21T14:10:00.00Z',
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  enabled: false,
  type: ['USER'],
  config: { delay: '5s', max_package_size: 10240 },
};
const created = {
  ...stored,
  id: '0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const body = {
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
  config: { delay: '5s', max_package_size: 10240 },
};

describe('WebhookModel.judgeCreate', () => {
  it('should accept the answer the documents describe', () => {
    expect(new WebhookModel([stored]).judgeCreate(body, created)).toEqual([]);
  });

  it.each([
    ['an id that is no UUID', { id: '42' }, '/id'],
    ['the id of a webhook that exists', { id: stored.id }, '/id'],
    ['enabled on create (R8)', { enabled: true }, '/enabled'],
    ['the URL normalised', { url: 'https://tenant.tld/webhooks/users/' }, '/url'],
    ['the title changed', { title: 'user webhook' }, '/title'],
    ['updated_at apart from created_at', { updated_at: '2026-01-01T00:00:01.000Z' }, '/updated_at'],
    ['a created_at that is no time', { created_at: 'yesterday' }, '/created_at'],
    [
      'a delay other than sent',
      { config: { delay: '1s', max_package_size: 10240 } },
      '/config/delay',
    ],
    ['no config at all', { config: undefined }, '/config'],
  ])('should find %s', (_name, change, pointer) => {
    const differences = new WebhookModel([stored]).judgeCreate(body, { ...created, ...change });
    expect(differences.join('\n')).toContain(pointer);
  });

  it('should expect type ALL when the create sends none (R7), and config members it adds as the server said', () => {
    const model = new WebhookModel();
    expect(
      model.judgeCreate(
        { title: 't', url: 'https://tenant.tld/x' },
        {
          ...created,
          title: 't',
          url: 'https://tenant.tld/x',
          type: ['ALL'],
          config: { delay: '1s' },
        },
      ),
    ).toEqual([]);
    expect(
      model
        .judgeCreate(
          { title: 't', url: 'https://tenant.tld/x' },
          { ...created, title: 't', url: 'https://tenant.tld/x', type: ['USER'] },
        )
        .join(),
    ).toContain('/type');
  });
});

describe('WebhookModel.judgeUpdate', () => {
  const model = () => new WebhookModel([stored]);
  const after = (change: Partial<ModelWebhook>) => ({
    ...stored,
    updated_at: '2021-07-21T14:10:05.00Z',
    ...change,
  });

  it.each([
    ['a title', { title: 'New' }, after({ title: 'New' })],
    ['type, replaced as a whole', { type: ['ORDER'] }, after({ type: ['ORDER'] })],
    [
      'one config member, the other kept',
      { config: { delay: '7s' } },
      after({ config: { delay: '7s', max_package_size: 10240 } }),
    ],
    ['nothing, updated_at unchanged', {}, stored],
  ])('should accept an update of %s as documented', (_name, patch, answer) => {
    expect(model().judgeUpdate(stored.id, patch, answer, true)).toEqual([]);
  });

  it.each([
    ['an update answered but not applied', { title: 'New' }, after({}), '/title'],
    [
      'type merged instead of replaced',
      { type: ['ORDER'] },
      after({ type: ['USER', 'ORDER'] }),
      '/type',
    ],
    [
      'type reset when not named',
      { title: 'New' },
      after({ title: 'New', type: ['ALL'] }),
      '/type',
    ],
    [
      'config replaced when merged is expected',
      { config: { delay: '7s' } },
      after({ config: { delay: '7s' } }),
      '/config/max_package_size',
    ],
    [
      'created_at moving',
      { title: 'New' },
      after({ title: 'New', created_at: '2021-07-21T14:10:05.00Z' }),
      '/created_at',
    ],
    [
      'updated_at going back',
      { title: 'New' },
      after({ title: 'New', updated_at: '2021-07-21T14:09:00.00Z' }),
      '/updated_at',
    ],
    ['updated_at that never moves', { title: 'New' }, { ...stored, title: 'New' }, '/updated_at'],
    ['enabled not stored', { enabled: true }, after({}), '/enabled'],
  ])('should find %s', (_name, patch, answer, pointer) => {
    expect(model().judgeUpdate(stored.id, patch, answer, true).join('\n')).toContain(pointer);
  });

  it('should accept config replaced, or kept, when told either reading will do', () => {
    const either = new WebhookModel([stored], { configPatch: 'either' });
    expect(
      either.judgeUpdate(
        stored.id,
        { config: { delay: '7s' } },
        after({ config: { delay: '7s' } }),
        true,
      ),
    ).toEqual([]);
    expect(
      either.judgeUpdate(
        stored.id,
        { config: { delay: '7s' } },
        after({ config: { delay: '7s', max_package_size: 10240 } }),
        true,
      ),
    ).toEqual([]);
  });
});

describe('WebhookModel.judgeRetrieve', () => {
  it('should want the stored webhook exactly, field by field', () => {
    const model = new WebhookModel([stored]);
    expect(model.judgeRetrieve(stored.id, stored)).toEqual([]);
    expect(model.judgeRetrieve(stored.id, { ...stored, enabled: true, extra: 1 })).toEqual([
      '/enabled: expected false, got true',
      '/extra: expected nothing, got 1',
    ]);
  });
});
