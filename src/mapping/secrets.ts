/*
 * Keeps credentials out of what we export. Error messages and stack traces
 * are the one place app-controlled text reaches a span without content
 * capture: an SDK error can quote a URL (the Live API puts the key in its
 * websocket URL) or a proxy can echo a header. Only runs on the failure path.
 */
const REDACTED = 'REDACTED';

// `key=...`, `api_key=...`, `access_token=...` in a URL query or form.
const QUERY_SECRET = /([?&](?:key|api_key|apikey|access_token|token)=)[^&#\s"']+/gi;

/** `text` with the API key and any credential in a URL query replaced by REDACTED. */
export function scrubSecrets(text: string, apiKey?: string): string {
  let out = text;
  // A short "key" would erase ordinary words; real keys are long.
  if (apiKey && apiKey.length >= 8 && out.includes(apiKey)) out = out.split(apiKey).join(REDACTED);
  return out.replace(QUERY_SECRET, `$1${REDACTED}`);
}

/** The API key of a client's API client, to scrub from a failure's message; undefined when it has none or cannot say. */
export function apiKeyOf(apiClient: { getApiKey?(): string | undefined } | undefined): string | undefined {
  try {
    const key = apiClient?.getApiKey?.();
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
