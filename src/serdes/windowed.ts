/** A window in ms. Time windows: `end = start + size`, exclusive. Session windows: `end` is the last record's time, inclusive. */
export type TimeWindow = { readonly start: number; readonly end: number };

/** A key of a windowed aggregation: the record key and the window it counts in. Kafka Streams: `Windowed<K>`. */
export type Windowed<K> = { readonly key: K; readonly window: TimeWindow };
