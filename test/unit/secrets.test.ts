import * as assert from 'node:assert/strict';
import { scrubSecrets } from '../../src/mapping/secrets';

describe('scrubSecrets', () => {
  it('replaces the API key wherever it appears', () => {
    assert.equal(
      scrubSecrets('bad key AIzaSyA-1234567890 (AIzaSyA-1234567890)', 'AIzaSyA-1234567890'),
      'bad key REDACTED (REDACTED)'
    );
  });
  it('replaces credentials in URL queries, whatever the key', () => {
    assert.equal(
      scrubSecrets('wss://host/ws?key=abc123&alt=sse and https://x/y?access_token=t0k&api_key=zz#f'),
      'wss://host/ws?key=REDACTED&alt=sse and https://x/y?access_token=REDACTED&api_key=REDACTED#f'
    );
  });
  it('leaves ordinary text, and never treats a short key as a secret', () => {
    assert.equal(scrubSecrets('the monkey=1 is fine', 'the'), 'the monkey=1 is fine');
    assert.equal(scrubSecrets('plain message'), 'plain message');
  });
});
