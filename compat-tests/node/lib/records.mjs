// The records every node producer writes, and that every reader (node or Confluent.Kafka in
// compat-tests/KafkaSharp.CompatTests/NodeClientTests.cs) expects back. Keep both in step.
import assert from 'node:assert/strict'

export const PARTITIONS = 3
export const BASE_TIMESTAMP_MS = 1_700_000_000_000

export function expectedRecord (client, index) {
  const headers = [['index', String(index)], ['client', client]]
  if (index % 10 === 0) headers.push(['tenth', 'yes'])
  return {
    partition: index % PARTITIONS,
    key: `${client}-key-${index}`,
    value: `value-${index}-` + 'x'.repeat(index % 50),
    headers,
    timestamp: BASE_TIMESTAMP_MS + index
  }
}

/**
 * Asserts that each partition holds exactly the records produced to it, in order, at offsets 0..n-1.
 * `partitions[p]` is a list of { offset, key, value, headers: [[name, value]], timestamp } as read back.
 */
export function assertPartitionsEqual (client, count, partitions) {
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const expected = []
    for (let index = partition; index < count; index += PARTITIONS) expected.push(expectedRecord(client, index))
    const actual = partitions[partition] ?? []
    assert.equal(actual.length, expected.length, `partition ${partition}: read ${actual.length} records, produced ${expected.length}`)
    for (let offset = 0; offset < expected.length; offset++) {
      const want = expected[offset]
      const got = actual[offset]
      const where = `partition ${partition} offset ${offset}`
      assert.equal(got.offset, offset, `${where}: record came at offset ${got.offset}`)
      assert.equal(got.key, want.key, `${where}: key`)
      assert.equal(got.value, want.value, `${where}: value`)
      assert.deepEqual(got.headers, want.headers, `${where}: headers`)
      assert.equal(got.timestamp, want.timestamp, `${where}: timestamp`)
    }
  }
}
