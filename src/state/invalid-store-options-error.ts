import { TributaryError } from '../errors/tributary-error.js';

/** A store (or a DSL operator's store options) was given an option it cannot use. */
export class InvalidStoreOptionsError extends TributaryError {
  constructor(store: string, option: string, problem: string) {
    super('INVALID_STORE_OPTIONS', `State store "${store}", option ${option}: ${problem}`);
  }
}
