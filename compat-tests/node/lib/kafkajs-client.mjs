// kafkajs 2.2.4: admin topic creation, a non-idempotent gzip producer, and a group consumer.
import kafkajs from 'kafkajs'
import assert from 'node:assert/strict'
import { expectedRecord, PARTITIONS } from './records.mjs'

const { Kafka, logLevel, CompressionTypes, Partitioners } = kafkajs
const CHUNK = 1_000

export function kafka (bootstrap) {
  return new Kafka({ clientId: 'kafkasharp-compat-kafkajs', brokers: [bootstrap], logLevel: logLevel.WARN, retry: { retries: 5 } })
}

export async function createTopic (bootstrap, topic, partitions = PARTITIONS) {
  const admin = kafka(bootstrap).admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true })
    assert.equal(created, true, `createTopics(${topic}) reported the topic as already existing`)
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    assert.equal(topics.length, 1)
    assert.equal(topics[0].name, topic)
    assert.deepEqual(topics[0].partitions.map(p => p.partitionId).sort(), Array.from({ length: partitions }, (_, p) => p))
    for (const partition of topics[0].partitions) assert.equal(partition.partitionErrorCode, 0)
  } finally {
    await admin.disconnect()
  }
}

export async function produce (bootstrap, topic, count) {
  const producer = kafka(bootstrap).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    for (let start = 0; start < count; start += CHUNK) {
      const messages = []
      for (let index = start; index < Math.min(count, start + CHUNK); index++) {
        const record = expectedRecord('kafkajs', index)
        messages.push({
          partition: record.partition,
          key: record.key,
          value: record.value,
          headers: Object.fromEntries(record.headers),
          timestamp: String(record.timestamp)
        })
      }
      const results = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages })
      for (const result of results) assert.equal(result.errorCode, 0, `produce error ${result.errorCode} on partition ${result.partition}`)
    }
  } finally {
    await producer.disconnect()
  }
}

/** Consumes `count` records from the beginning with a consumer group, returned per partition in arrival order. */
export async function consume (bootstrap, topic, count, timeoutMs) {
  const consumer = kafka(bootstrap).consumer({ groupId: `kafkasharp-compat-kafkajs-${Date.now()}` })
  await consumer.connect()
  const partitions = Array.from({ length: PARTITIONS }, () => [])
  let received = 0
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumed ${received} of ${count} records within ${timeoutMs} ms`)), timeoutMs)
      consumer.run({
        eachMessage: async ({ partition, message }) => {
          partitions[partition].push({
            offset: Number(message.offset),
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers: Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? null]),
            timestamp: Number(message.timestamp)
          })
          if (++received === count) {
            clearTimeout(timer)
            resolve()
          }
        }
      }).catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return partitions
}
