import { getSeedData } from '../seed.data';
import { OrderEventLog } from './orders.events';

describe('OrderEventLog', () => {
  const order = getSeedData().orders[0];

  it('resumes after an id of this run and resets for older or foreign ids', () => {
    const log = new OrderEventLog({ maxEvents: 2 });
    const first = log.publish('order.status_changed', order);
    const second = log.publish('order.status_changed', order);
    expect(log.since(first.id)).toEqual([second]);
    expect(log.since(second.id)).toEqual([]);
    expect(log.since(undefined)).toEqual([]);
    log.publish('order.status_changed', order);
    log.publish('order.status_changed', order);
    // The event after `first` is gone from the history.
    expect(log.since(first.id)).toBe('reset');
    expect(log.since('1-1')).toBe('reset');
    expect(log.since('garbage')).toBe('reset');
  });

  it('hands every event to subscribers with a copy of the order', () => {
    const log = new OrderEventLog();
    const seen: string[] = [];
    const stop = log.subscribe((e) => seen.push(e.id));
    const event = log.publish('order.status_changed', order);
    stop();
    log.publish('order.status_changed', order);
    expect(seen).toEqual([event.id]);
    expect(event.order).not.toBe(order);
  });
});
