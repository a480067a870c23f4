// Test doubles for specs (`@app/downstream/testing`), kept out of the public index.ts.
export { callFor, fakeTransport, respond, testService } from './downstream.test-doubles';
export type { FakeAnswer } from './downstream.test-doubles';
