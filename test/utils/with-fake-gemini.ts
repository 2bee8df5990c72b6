/*
 * One loopback Gemini server per suite (test/utils/fake-gemini-server.ts),
 * with mocha's hooks: started before the suite's first test, closed after its
 * last, and its replies reset to the suite's own before each test. A test
 * scripts its replies by setting `reply`; `client()` is the SDK under test
 * pointed at the server.
 */
import { startFakeGemini, type FakeGemini, type FakeHandler, type FakeRequest } from './fake-gemini-server';
import { loadGenAI, TEST_API_KEY, type GenAI } from './genai';

type GoogleGenAI = InstanceType<GenAI['GoogleGenAI']>;
type ClientOptions = NonNullable<ConstructorParameters<GenAI['GoogleGenAI']>[0]>;

export interface FakeGeminiSuite {
  readonly url: string;
  readonly port: number;
  /** Every request the server has had since the suite started. */
  readonly requests: FakeRequest[];
  /** This test's replies (undefined: the server's default). Back to the suite's before each test. */
  reply: FakeHandler;
  /** A client of the SDK under test on this server: the Gemini API with the test key, `options` merged in. */
  client(options?: ClientOptions): GoogleGenAI;
}

export function withFakeGemini(suiteReply: FakeHandler = () => undefined, host?: string): FakeGeminiSuite {
  let server: FakeGemini | undefined;
  const started = (): FakeGemini => {
    if (!server) throw new Error('withFakeGemini: the server starts in the suite’s before hook');
    return server;
  };
  const suite: FakeGeminiSuite = {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    get requests() {
      return started().requests;
    },
    reply: suiteReply,
    client(options = {}) {
      return new (loadGenAI().GoogleGenAI)({
        apiKey: TEST_API_KEY,
        ...options,
        httpOptions: { ...options.httpOptions, baseUrl: started().url },
      });
    },
  };
  before(async () => {
    server = await startFakeGemini((req) => suite.reply(req), host);
  });
  beforeEach(() => {
    suite.reply = suiteReply;
  });
  after(() => server?.close());
  return suite;
}
