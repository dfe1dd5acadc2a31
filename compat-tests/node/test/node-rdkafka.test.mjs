// node-rdkafka 3.6.1 (librdkafka 2.12.0, compiled during `npm ci`) against a KafkaSharp broker: a KafkaConsumer
// in a group reads every record kcat wrote to a 4-partition topic, commits, and finds its commits at the end offsets.
import Kafka from 'node-rdkafka'
import assert from 'node:assert/strict'
import { promisify } from 'node:util'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { GROUP_OVERRIDES, startBroker } from '../lib/broker.mjs'
import { assertKcatRecords, produceWithKcat } from '../lib/kcat.mjs'

const PARTITIONS = 4
const COUNT = 2_000
const TIMEOUT_MS = 60_000
let broker

before(async () => { broker = await startBroker('node-rdkafka', GROUP_OVERRIDES) })
after(async () => { await broker?.stop() })

test('node-rdkafka runs on the librdkafka it built, with every codec', () => {
  assert.equal(Kafka.librdkafkaVersion, '2.12.0')
  // The build silently leaves out what it finds no headers for (test.sh installs them).
  for (const feature of ['gzip', 'snappy', 'lz4', 'zstd', 'ssl', 'sasl']) {
    assert.ok(Kafka.features.includes(feature), `node-rdkafka built without ${feature}: ${Kafka.features}`)
  }
})

test('a node-rdkafka KafkaConsumer in a group reads every record kcat wrote to 4 partitions and commits the end offsets', { timeout: 180_000 }, async () => {
  const topic = `node-rdkafka-group-${Date.now()}`
  const groupId = `node-rdkafka-kcat-${Date.now()}`
  await createTopic(broker.bootstrap, topic)
  const produced = await produceWithKcat(broker.bootstrap, topic, PARTITIONS, COUNT, { label: 'node-rdkafka-group', codec: 'zstd' })

  const errors = []
  const consumer = new Kafka.KafkaConsumer(
    { 'group.id': groupId, 'metadata.broker.list': broker.bootstrap, 'enable.auto.commit': false, 'client.id': 'kafkasharp-compat-node-rdkafka' },
    { 'auto.offset.reset': 'earliest' })
  consumer.on('event.error', error => errors.push(error))
  await promisify(consumer.connect.bind(consumer))({ timeout: TIMEOUT_MS })
  try {
    consumer.subscribe([topic])
    const consume = promisify(consumer.consume.bind(consumer))
    const partitions = Array.from({ length: PARTITIONS }, () => [])
    let received = 0
    const deadline = Date.now() + TIMEOUT_MS
    while (received < COUNT) {
      assert.ok(Date.now() < deadline, `node-rdkafka consumed ${received} of ${COUNT} records within ${TIMEOUT_MS} ms; client errors: ${errors.join('; ')}`)
      for (const message of await consume(500)) {
        partitions[message.partition].push({
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: (message.headers ?? []).map(header => {
            const [[name, value]] = Object.entries(header)
            return [name, value?.toString() ?? null]
          }),
          timestamp: message.timestamp
        })
        received++
      }
    }
    // Nothing beyond what kcat wrote may follow.
    await sleep(500)
    const extra = await consume(100)
    assert.deepEqual(extra.map(m => `${m.partition}@${m.offset}`), [], 'records after the last one produced')
    assertKcatRecords(produced, partitions, 'node-rdkafka group consumer')

    const assignment = consumer.assignments().map(a => a.partition).sort((x, y) => x - y)
    assert.deepEqual(assignment, [0, 1, 2, 3], 'the only member holds every partition')
    // Commits the consumer's positions: the offset after the last record read in each partition.
    consumer.commitSync(null)
    const committed = await promisify(consumer.committed.bind(consumer))(null, TIMEOUT_MS)
    const queryWatermarks = promisify(consumer.queryWatermarkOffsets.bind(consumer))
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const { lowOffset, highOffset } = await queryWatermarks(topic, partition, TIMEOUT_MS)
      assert.equal(lowOffset, 0, `partition ${partition}: log start offset`)
      assert.equal(highOffset, produced.endOffsets[partition], `partition ${partition}: high watermark`)
      const commit = committed.find(c => c.topic === topic && c.partition === partition)
      assert.equal(commit?.offset, highOffset, `partition ${partition}: committed offset`)
    }
  } finally {
    await promisify(consumer.disconnect.bind(consumer))()
  }
})

async function createTopic (bootstrap, topic) {
  const admin = Kafka.AdminClient.create({ 'metadata.broker.list': bootstrap, 'client.id': 'kafkasharp-compat-node-rdkafka' })
  try {
    await promisify(admin.createTopic.bind(admin))({ topic, num_partitions: PARTITIONS, replication_factor: 1 }, TIMEOUT_MS)
  } finally {
    admin.disconnect()
  }
}
