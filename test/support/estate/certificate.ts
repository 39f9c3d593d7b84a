// A throwaway TLS identity for the estate. The SDK's bearer-token policy
// refuses plain http, so the fake must speak https; clients trust this
// certificate explicitly with `tlsOptions: { ca }`.

import { generate } from "selfsigned";

export interface TlsIdentity {
  key: string;
  cert: string;
}

export async function createCertificate(): Promise<TlsIdentity> {
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    // EC keys are generated in milliseconds; RSA would slow every test that starts an estate.
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    // Backdated so a slightly skewed clock never sees a not-yet-valid certificate.
    notBeforeDate: new Date(now - 60 * 60 * 1000),
    notAfterDate: new Date(now + 2 * 24 * 60 * 60 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
