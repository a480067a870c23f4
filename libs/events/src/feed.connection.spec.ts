import { type DropReason, FeedConnection } from './feed.connection';
import type { FeedEvent, FeedTopic } from './events.types';

class RecordingConnection extends FeedConnection {
  readonly written: string[] = [];
  buffered = 0;
  dropped: DropReason | undefined;

  constructor(topics: FeedTopic[], maxBufferBytes = 1_000) {
    super('ws', 'user:test', new Set(topics), maxBufferBytes);
  }
  protected writeEvent(event: FeedEvent): void {
    this.written.push(event.id);
  }
  protected writeReset(): void {
    this.written.push('reset');
  }
  protected bufferedBytes(): number {
    return this.buffered;
  }
  protected terminate(reason: DropReason): void {
    this.dropped = reason;
  }
}

const event = (id: string, topic: FeedTopic = 'orders'): FeedEvent => ({
  id,
  topic,
  type: 't',
  at: '2026-12-01T00:00:00.000Z',
  source: 's',
  data: {},
});

describe('FeedConnection', () => {
  it('sends missed events, then live ones held meanwhile, each id once and in order', () => {
    const c = new RecordingConnection(['orders']);
    c.offer(event('5-0'));
    c.offer(event('6-0', 'ops'));
    c.offer(event('7-0'));
    c.start([event('4-0'), event('5-0')]);
    c.offer(event('7-0'));
    c.offer(event('8-0'));
    expect(c.written).toEqual(['4-0', '5-0', '7-0', '8-0']);
  });

  it('sends a reset first when the resume is too old', () => {
    const c = new RecordingConnection(['orders']);
    c.offer(event('9-0'));
    c.start('reset');
    expect(c.written).toEqual(['reset', '9-0']);
  });

  it('drops a client whose unsent bytes pass the bound, once, and ends it', () => {
    const c = new RecordingConnection(['orders'], 100);
    const ended = jest.fn();
    c.onEnd(ended);
    c.start(undefined);
    c.offer(event('1-0'));
    c.buffered = 101;
    c.offer(event('2-0'));
    c.offer(event('3-0'));
    expect(c.dropped).toBe('slow_consumer');
    expect(c.closed).toBe(true);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(c.written).toEqual(['1-0', '2-0']);
  });
});
