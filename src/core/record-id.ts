// Ids of the rows written per message or per event: messages, their jobs and delivery attempts,
// webhook deliveries, audit entries. Time-ordered (RFC 9562 version 7: a millisecond timestamp,
// then 74 random bits), so rows written together sit together in every index keyed by id: a commit
// of a dozen outcomes touches a few index pages instead of a dozen scattered ones. With random
// (version 4) ids the SQLite log took 25 page writes per delivered message, 13 with these
// (bench/README.md, fifth pass). The timestamp tells no more than the row's own createdAt, which
// the API shows anyway; the random part keeps ids unguessable.
import crypto from 'node:crypto';

export function newRecordId(): string {
  return crypto.randomUUIDv7();
}
