// @platformatic/kafka 1.35.0: admin topic creation, an lz4 producer (acks=all, the client's default
// non-idempotent mode; Confluent.Kafka's idempotent run covers InitProducerId), and a group consumer.
import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import assert from 'node:assert/strict'
import { expectedRecord, PARTITIONS } from './records.mjs'

export const CLIENT_ID = 'kafkasharp-compat-platformatic'
const CHUNK = 1_000

export async function createTopic (bootstrap, topic, partitions = PARTITIONS) {
  const admin = new Admin({ clientId: CLIENT_ID, bootstrapBrokers: [bootstrap] })
  try {
    const created = await admin.createTopics({ topics: [topic], partitions, replicas: 1 })
    assert.equal(created.length, 1)
    assert.equal(created[0].name, topic)
    assert.equal(created[0].partitions, partitions)
    const metadata = await admin.metadata({ topics: [topic] })
    const topicMetadata = metadata.topics.get(topic)
    assert.ok(topicMetadata, `${topic} missing from metadata`)
    assert.equal(topicMetadata.partitionsCount, partitions)
    assert.ok(metadata.brokers.has(topicMetadata.partitions[0].leader), 'partition 0 leader is not a listed broker')
  } finally {
    await admin.close()
  }
}

export async function produce (bootstrap, topic, count) {
  const producer = new Producer({
    clientId: CLIENT_ID,
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    acks: ProduceAcks.ALL,
    compression: 'lz4',
    autocreateTopics: false
  })
  try {
    for (let start = 0; start < count; start += CHUNK) {
      const messages = []
      for (let index = start; index < Math.min(count, start + CHUNK); index++) {
        const record = expectedRecord('platformatic', index)
        messages.push({
          topic,
          partition: record.partition,
          key: record.key,
          value: record.value,
          headers: new Map(record.headers),
          timestamp: BigInt(record.timestamp)
        })
      }
      await producer.send({ messages })
    }
  } finally {
    await producer.close()
  }
}

/** Consumes `count` records from the earliest offsets with a consumer group, returned per partition in arrival order. */
export async function consume (bootstrap, topic, count, timeoutMs) {
  const consumer = new Consumer({
    clientId: CLIENT_ID,
    groupId: `kafkasharp-compat-platformatic-${Date.now()}`,
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers
  })
  const partitions = Array.from({ length: PARTITIONS }, () => [])
  let received = 0
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false })
    const timer = setTimeout(() => stream.destroy(new Error(`@platformatic/kafka consumed ${received} of ${count} records within ${timeoutMs} ms`)), timeoutMs)
    try {
      for await (const message of stream) {
        partitions[message.partition].push({
          offset: Number(message.offset),
          key: message.key ?? null,
          value: message.value ?? null,
          headers: [...message.headers].map(([name, value]) => [name, value ?? null]),
          timestamp: Number(message.timestamp)
        })
        if (++received === count) break
      }
    } finally {
      clearTimeout(timer)
      await stream.close()
    }
  } finally {
    await consumer.close(true)
  }
  return partitions
}
