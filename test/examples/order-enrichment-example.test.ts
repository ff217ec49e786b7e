import { describe, expect, it } from 'vitest';
import { example, EXAMPLE_LOGS } from './run-example.js';

describe.each(EXAMPLE_LOGS)('the order-enrichment example (npm run example:orders) on %s', (on) => {
  it('prints enriched orders and the foreign-key-joined order lines', async () => {
    const stdout = await example('order-enrichment.ts', on);
    expect(stdout).toContain('{"orderId":"o1","customer":"Ada","country":"UK","product":"keyboard","total":80}');
    expect(stdout).toContain('{"orderId":"o2","customer":"Linus","country":"FI","product":"mouse","total":60}');
    expect(stdout).toContain('{"orderId":"o3","customer":"Grace","country":"US","product":"monitor","total":600}');
    expect(stdout).not.toContain('"orderId":"o4"'); // unknown customer
    const lines = stdout.slice(stdout.indexOf('priced order lines')).trim().split('\n').slice(1).map((l) => l.trim());
    expect(lines).toEqual(['o1-1 1 x keyboard = 80', 'o2-1 3 x mouse = 60', 'o3-1 2 x monitor = 600', 'o3-2 1 x keyboard = 80']);
  }, 90_000);
});
