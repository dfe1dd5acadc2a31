// kcat (Debian's kcat 1.7.1 on librdkafka 2.0.2) writes the records that the node group consumers read, so
// that what a node client reads was produced by a different client. test.sh installs kcat.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'

/** Every record kcat produces carries these headers (kcat's -H applies to the whole run). */
export const KCAT_HEADERS = [['producer', 'kcat'], ['suite', 'node-groups']]
const KEY_DELIMITER = '\t'
const TIMEOUT_MS = 60_000

export function keyedRecord (label, index, partitions) {
  return {
    partition: index % partitions,
    key: `${label}-key-${index}`,
    value: `${label}-value-${index}-` + String.fromCharCode(97 + index % 26).repeat(index % 120)
  }
}

/**
 * Produces the keyed records with indexes from..from+count-1, spread round-robin over the partitions, one
 * kcat run per partition (`-p`), compressed with `codec`; records before `from` are expected to be in the
 * topic already. Returns the records expected in each partition with the offsets they must get, and the
 * time span in which kcat stamped their CreateTime.
 */
export async function produceWithKcat (bootstrap, topic, partitions, count, { label, codec, from = 0 }) {
  const expected = Array.from({ length: partitions }, (_, partition) => ({ firstOffset: Math.max(0, Math.ceil((from - partition) / partitions)), records: [] }))
  for (let index = from; index < from + count; index++) {
    const record = keyedRecord(label, index, partitions)
    const destination = expected[record.partition]
    destination.records.push({ ...record, offset: destination.firstOffset + destination.records.length })
  }
  const startedMs = Date.now()
  for (let partition = 0; partition < partitions; partition++) {
    const input = expected[partition].records.map(r => `${r.key}${KEY_DELIMITER}${r.value}\n`).join('')
    const headerArgs = KCAT_HEADERS.flatMap(([name, value]) => ['-H', `${name}=${value}`])
    await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', String(partition), '-K', KEY_DELIMITER, '-z', codec, ...headerArgs], input)
  }
  return { expected: expected.map(p => p.records), endOffsets: expected.map(p => p.firstOffset + p.records.length), startedMs, finishedMs: Date.now() }
}

/**
 * Asserts that `partitions[p]` (records as read: { offset, key, value, headers: [[name, value]], timestamp })
 * holds exactly the records this kcat run produced to partition p, in order at the offsets they were given,
 * with kcat's headers and a CreateTime from the time kcat ran.
 */
export function assertKcatRecords (produced, partitions, reader) {
  const { expected, startedMs, finishedMs } = produced
  assert.equal(partitions.length, expected.length, `${reader}: partition count`)
  for (let partition = 0; partition < expected.length; partition++) {
    const actual = partitions[partition]
    assert.equal(actual.length, expected[partition].length, `${reader}: partition ${partition} read ${actual.length} records, kcat produced ${expected[partition].length}`)
    for (let position = 0; position < actual.length; position++) {
      const want = expected[partition][position]
      const got = actual[position]
      const where = `${reader}: partition ${partition} offset ${want.offset}`
      assert.equal(got.offset, want.offset, `${where}: record came at offset ${got.offset}`)
      assert.equal(got.key, want.key, `${where}: key`)
      assert.equal(got.value, want.value, `${where}: value`)
      assert.deepEqual(got.headers, KCAT_HEADERS, `${where}: headers`)
      // kcat sets no timestamp itself, so librdkafka stamps each record when it is produced.
      assert.ok(got.timestamp >= startedMs - 1_000 && got.timestamp <= finishedMs + 1_000,
        `${where}: timestamp ${got.timestamp} outside the produce run ${startedMs}..${finishedMs}`)
    }
  }
}

function runKcat (args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    for (const stream of [child.stdout, child.stderr]) stream.on('data', chunk => { output += chunk })
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
    child.once('error', error => { clearTimeout(timer); reject(error) })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(output)
      else reject(new Error(`kcat ${args.join(' ')} exited with ${code ?? signal}:\n${output}`))
    })
    child.stdin.end(input)
  })
}
