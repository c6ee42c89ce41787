import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

/** A certificate and its key, PEM-encoded. */
export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * A throwaway certificate authority for tests over real TLS: the test trusts `caPem` and the
 * servers present certificates it issued. Keys come from node:crypto; node-forge only writes
 * the X.509 structures, which Node cannot create.
 */
export function createTestCa() {
  const rsa = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKey: forge.pki.privateKeyFromPem(
        privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      ),
      publicKey: forge.pki.publicKeyFromPem(
        publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      ),
    };
  };
  const caKeys = rsa();
  const caName = [{ name: 'commonName', value: 'upvest-webhooks test CA' }];
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  ca.validity.notBefore = new Date(Date.now() - 86_400_000);
  ca.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  const leafKeys = rsa();
  let serial = 2;

  return {
    caPem: forge.pki.certificateToPem(ca),
    /** Issues a server certificate for `hostname`, valid from `notBefore` to `notAfter`. */
    issue(
      hostname: string,
      validity: { notBefore?: Date; notAfter?: Date } = {},
    ): IssuedCertificate {
      const cert = forge.pki.createCertificate();
      cert.publicKey = leafKeys.publicKey;
      cert.serialNumber = (serial++).toString(16).padStart(2, '0');
      cert.validity.notBefore = validity.notBefore ?? new Date(Date.now() - 86_400_000);
      cert.validity.notAfter = validity.notAfter ?? new Date(Date.now() + 90 * 86_400_000);
      cert.setSubject([{ name: 'commonName', value: hostname }]);
      cert.setIssuer(caName);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] },
      ]);
      cert.sign(caKeys.privateKey, forge.md.sha256.create());
      return {
        certPem: forge.pki.certificateToPem(cert),
        keyPem: forge.pki.privateKeyToPem(leafKeys.privateKey),
      };
    },
  };
}
