import type { Webhook } from '../types.js';

/** The registration example of Upvest's guide (the seed document): the create request. */
export const seedRequest = {
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER' as const],
  config: { delay: '2s', max_package_size: 51200 },
};

/** The documented response to {@link seedRequest}. */
export const seedResponse: Webhook = {
  id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
  created_at: '2021-07-21T14:10:00.00Z',
  updated_at: '2021-07-21T14:10:00.00Z',
  ...seedRequest,
  type: ['USER'],
  enabled: false,
};
