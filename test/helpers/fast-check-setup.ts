// fast-check 4 keeps generated arrays small (at most 10 items) even when a test asks for a larger
// maxLength. Our property tests set maxLength on purpose (a join over 60 records, 300 store
// operations): let them reach it. Arbitraries without a maxLength stay small.
import fc from 'fast-check';

fc.configureGlobal({ defaultSizeToMaxWhenMaxSpecified: true });
