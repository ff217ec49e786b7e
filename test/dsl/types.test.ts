import { describe, expectTypeOf, it } from 'vitest';
import { JoinWindows, Serdes, StreamsBuilder, type KStream, type KTable } from '../../src/index.js';

// These are compile-time checks: `npm test` runs tsc first, and a line marked @ts-expect-error
// that compiles fails the build. The runtime assertions only restate what the compiler proved.
type View = { userId?: string; page: string };

describe('KStream types', () => {
  const builder = new StreamsBuilder();
  const views = builder.stream('views', { key: Serdes.string(), value: Serdes.json<View>() });

  it('carries key and value types from the source serdes', () => {
    expectTypeOf(views).toEqualTypeOf<KStream<string, View>>();
  });

  it('tracks types through map, mapValues, selectKey, flatMap and flatMapValues', () => {
    expectTypeOf(views.mapValues((_k, v) => v.page.length)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(views.map((k, v) => [v.page, k.length] as const)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(views.selectKey((_k, v) => v.page.length > 3)).toEqualTypeOf<KStream<boolean, View>>();
    expectTypeOf(views.flatMap((k, v) => [[k, v.page]] as const)).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(views.flatMapValues((_k, v) => [v.page, v.page])).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(views.filter((_k, v) => v.userId !== undefined)).toEqualTypeOf<KStream<string, View>>();
  });

  it('rejects using a value as the wrong type', () => {
    const numbers = builder.stream('numbers', { key: Serdes.string(), value: Serdes.int32() });
    // @ts-expect-error a number has no toUpperCase: a stream of numbers cannot be used as strings
    numbers.mapValues((_k, v) => v.toUpperCase());
    // @ts-expect-error the filter predicate must return a boolean-compatible value from a number
    numbers.filter((_k, v: string) => v.length > 0);
    expectTypeOf(numbers.mapValues((_k, v) => v + 1)).toEqualTypeOf<KStream<string, number>>();
  });

  it('rejects a serde of the wrong type in to() and repartition()', () => {
    const numbers = builder.stream('numbers2', { key: Serdes.string(), value: Serdes.int32() });
    // @ts-expect-error Serde<string> cannot write a stream of numbers
    numbers.to('out', { value: Serdes.string() });
    // @ts-expect-error the key serde must match the key type
    numbers.repartition({ key: Serdes.int64() });
    numbers.to('out', { key: Serdes.string(), value: Serdes.int32() });
  });

  it('rejects merging streams of different types', () => {
    const strings = builder.stream('s', { key: Serdes.string(), value: Serdes.string() });
    const numbers = builder.stream('n', { key: Serdes.string(), value: Serdes.int32() });
    // @ts-expect-error KStream<string, number> is not a KStream<string, string>
    strings.merge(numbers);
    expectTypeOf(strings.merge(strings)).toEqualTypeOf<KStream<string, string>>();
  });

  it('types branch streams like their parent', () => {
    const branches = views.split().branch((_k, v) => v.page === '/').defaultBranch();
    expectTypeOf(branches).toEqualTypeOf<Record<string, KStream<string, View>>>();
  });

  it('types joins and rejects joining on mismatched key types', () => {
    const w = JoinWindows.ofTimeDifferenceWithNoGrace(1_000);
    const byUser = builder.stream('by-user', { key: Serdes.string(), value: Serdes.int32() });
    const byNumber = builder.stream('by-number', { key: Serdes.int32(), value: Serdes.string() });
    const users = builder.table('users', { key: Serdes.string(), value: Serdes.json<{ name: string }>() });
    const numbered = builder.table('numbered', { key: Serdes.int32(), value: Serdes.string() });
    expectTypeOf(byUser.join(byUser, (a, b) => a + b, w)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(byUser.leftJoin(users, (n, u) => `${n}${u?.name}`)).toEqualTypeOf<KStream<string, string>>();
    // A joiner taking the key declares its parameter types (TypeScript cannot pick an overload by
    // the arity of an unannotated arrow function); wrong types there do not compile either.
    expectTypeOf(byUser.join(users, (key: string, n: number, u: { name: string }) => key.length + n + u.name.length)).toEqualTypeOf<KStream<string, number>>();
    // @ts-expect-error the key is a string, not a number
    byUser.join(users, (key: number, n: number, u: { name: string }) => key + n + u.name.length);
    expectTypeOf(users.join(users, (a, b) => a.name + b.name)).toEqualTypeOf<KTable<string, string>>();
    expectTypeOf(users.join(numbered, (u) => u.name.length, (u, s) => u.name + s)).toEqualTypeOf<KTable<string, string>>();
    // @ts-expect-error a stream keyed by number cannot join a stream keyed by string
    byUser.join(byNumber, (a, b) => a + b, w);
    // @ts-expect-error a stream keyed by string cannot join a table keyed by number
    byUser.join(numbered, (a, b) => a + b);
    // @ts-expect-error tables with different key types need a foreign-key extractor
    users.join(numbered, (a, b) => a.name + b);
    // @ts-expect-error the foreign key must have the other table's key type
    users.join(numbered, (u) => u.name, (u, s) => u.name + s);
    // @ts-expect-error a left join's right side may be missing: it is typed as nullable
    byUser.leftJoin(users, (n, u) => n + u.name.length);
  });
});
