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
 * Produces `count` keyed records spread round-robin over the partitions, one kcat run per partition
 * (`-p`), compressed with `codec`. Returns the records expected in each partition in offset order, and
 * the time span in which kcat assigned their CreateTime timestamps.
 */
export async function produceWithKcat (bootstrap, topic, partitions, count, { label, codec }) {
  const expected = Array.from({ length: partitions }, () => [])
  for (let index = 0; index < count; index++) {
    const record = keyedRecord(label, index, partitions)
    expected[record.partition].push(record)
  }
  const startedMs = Date.now()
  for (let partition = 0; partition < partitions; partition++) {
    const input = expected[partition].map(r => `${r.key}${KEY_DELIMITER}${r.value}\n`).join('')
    const headerArgs = KCAT_HEADERS.flatMap(([name, value]) => ['-H', `${name}=${value}`])
    await runKcat(['-b', bootstrap, '-P', '-t', topic, '-p', String(partition), '-K', KEY_DELIMITER, '-z', codec, ...headerArgs], input)
  }
  return { expected, startedMs, finishedMs: Date.now() }
}

/**
 * Asserts that `partitions[p]` (records as read: { offset, key, value, headers: [[name, value]], timestamp })
 * holds exactly the records produced to partition p, in order at offsets 0..n-1, with kcat's headers and a
 * CreateTime from the time kcat ran.
 */
export function assertKcatRecords (produced, partitions, reader) {
  const { expected, startedMs, finishedMs } = produced
  assert.equal(partitions.length, expected.length, `${reader}: partition count`)
  for (let partition = 0; partition < expected.length; partition++) {
    const actual = partitions[partition]
    assert.equal(actual.length, expected[partition].length, `${reader}: partition ${partition} read ${actual.length} records, kcat produced ${expected[partition].length}`)
    for (let offset = 0; offset < actual.length; offset++) {
      const want = expected[partition][offset]
      const got = actual[offset]
      const where = `${reader}: partition ${partition} offset ${offset}`
      assert.equal(got.offset, offset, `${where}: record came at offset ${got.offset}`)
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
