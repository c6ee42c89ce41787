// The README's quick start, verbatim: CI runs it (examples/examples.test.ts).
import { createUpvestSigner, createWebhooksClient, UpvestValidationError } from 'upvest-webhooks';
import { startMockServer } from 'upvest-webhooks/testing';

// The mock demands signed requests, like the API; it made a throwaway tenant key for us.
const mock = await startMockServer();
const { clientId, keyId, privateKey } = mock.credentials;
const client = createWebhooksClient({
  baseUrl: mock.url, // UPVEST_SANDBOX_URL against the real sandbox
  clientId,
  accessToken: mock.issueToken(['webhooks:admin']),
  signer: createUpvestSigner({ keyId, privateKey: privateKey! }),
});

// The registration example of Upvest's guide.
const webhook = await client.create({
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
  config: { delay: '2s', max_package_size: 51200 },
});
console.log(webhook.enabled); // false: every webhook starts disabled (R8)
await client.enable(webhook.id);

for await (const each of client.listAll({ limit: 50 })) console.log(each.id, each.title);

try {
  await client.create({ title: 'Bad', url: 'http://10.0.0.1/hook' });
} catch (error) {
  // Nothing was sent: the rules run first.
  if (error instanceof UpvestValidationError) console.log(error.issues.map((i) => i.code));
  // ['url.scheme_not_https', 'url.ip_host']
}

await client.delete(webhook.id);
await mock.close();
