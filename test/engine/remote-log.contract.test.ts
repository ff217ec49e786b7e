import { partitionedLogContract } from '../contracts/partitioned-log.contract.js';
import { servedLog } from '../helpers/served-log.js';

// What a stream thread sees: EmbeddedLog served over a message channel (raw batches out, packed
// records in, errors rebuilt as their own classes). In one thread here; the transport is the same.
partitionedLogContract('RemoteLog over EmbeddedLog', servedLog);
