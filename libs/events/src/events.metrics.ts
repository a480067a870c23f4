import { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from '@app/observability';

/** Metrics of the live feed, shared by every app in the process (e2e tests run several). */
export function eventsMetrics() {
  return {
    connections: getOrCreateGauge(
      'bff_events_connections',
      'Open live-feed connections by transport',
      ['transport'] as const,
    ),
    messages: getOrCreateCounter(
      'bff_events_messages_out_total',
      'Events written to live-feed clients by transport',
      ['transport'] as const,
    ),
    drops: getOrCreateCounter(
      'bff_events_dropped_connections_total',
      'Live-feed connections closed by the server, by transport and reason',
      ['transport', 'reason'] as const,
    ),
    refusals: getOrCreateCounter(
      'bff_events_refused_connections_total',
      'Live-feed connections refused at connect, by transport and status',
      ['transport', 'status'] as const,
    ),
    resumes: getOrCreateCounter(
      'bff_events_resumes_total',
      'Reconnects with a last event id: hit (missed events replayed) or miss (reset)',
      ['result'] as const,
    ),
    published: getOrCreateCounter(
      'bff_events_published_total',
      'Events published by this instance, by topic and where they went',
      ['topic', 'delivery'] as const,
    ),
    fanout: getOrCreateHistogram(
      'bff_events_fanout_seconds',
      'From publish (stream id time) to delivery to this instance',
      [] as const,
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    upstream: getOrCreateCounter(
      'bff_events_upstream_connects_total',
      'Connections to upstream event streams, by stream and outcome',
      ['stream', 'outcome'] as const,
    ),
  };
}
