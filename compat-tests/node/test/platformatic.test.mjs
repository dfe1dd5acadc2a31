// @platformatic/kafka against a KafkaSharp broker: admin, produce with headers, group consume, every record checked;
// and a group consumer reading a topic that kcat wrote, committing and finding its commits at the end offsets.
import { Admin, Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka'
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { GROUP_OVERRIDES, startBroker } from '../lib/broker.mjs'
import { assertKcatRecords, produceWithKcat } from '../lib/kcat.mjs'
import * as client from '../lib/platformatic-client.mjs'
import { assertPartitionsEqual } from '../lib/records.mjs'

const COUNT = 10_000
const GROUP_PARTITIONS = 4
const GROUP_COUNT = 2_000
let broker

before(async () => { broker = await startBroker('platformatic', GROUP_OVERRIDES) })
after(async () => { await broker?.stop() })

test('@platformatic/kafka creates a 3-partition topic that metadata lists', { timeout: 60_000 }, async () => {
  await client.createTopic(broker.bootstrap, `platformatic-admin-${Date.now()}`)
})

test('@platformatic/kafka produces 10,000 records with headers and a group consumer reads every one back in order', { timeout: 180_000 }, async () => {
  const topic = `platformatic-round-trip-${Date.now()}`
  await client.createTopic(broker.bootstrap, topic)
  await client.produce(broker.bootstrap, topic, COUNT)
  const partitions = await client.consume(broker.bootstrap, topic, COUNT, 120_000)
  assert.equal(partitions.reduce((sum, records) => sum + records.length, 0), COUNT)
  assertPartitionsEqual('platformatic', COUNT, partitions)
})

test('a @platformatic/kafka group consumer reads every record kcat wrote to 4 partitions and commits the end offsets', { timeout: 180_000 }, async () => {
  const topic = `platformatic-group-${Date.now()}`
  const groupId = `platformatic-kcat-${Date.now()}`
  await client.createTopic(broker.bootstrap, topic, GROUP_PARTITIONS)
  const produced = await produceWithKcat(broker.bootstrap, topic, GROUP_PARTITIONS, GROUP_COUNT, { label: 'platformatic-group', codec: 'lz4' })

  const consumer = new Consumer({ clientId: client.CLIENT_ID, groupId, bootstrapBrokers: [broker.bootstrap], deserializers: stringDeserializers })
  const partitions = Array.from({ length: GROUP_PARTITIONS }, () => [])
  const lastMessages = new Map()
  let received = 0
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false })
    const timer = setTimeout(() => stream.destroy(new Error(`@platformatic/kafka consumed ${received} of ${GROUP_COUNT} records within 60 s`)), 60_000)
    try {
      for await (const message of stream) {
        partitions[message.partition].push({
          offset: Number(message.offset),
          key: message.key ?? null,
          value: message.value ?? null,
          headers: [...message.headers].map(([name, value]) => [name, value ?? null]),
          timestamp: Number(message.timestamp)
        })
        lastMessages.set(message.partition, message)
        if (++received === GROUP_COUNT) break
      }
    } finally {
      clearTimeout(timer)
      await stream.close()
    }
    assertKcatRecords(produced, partitions, '@platformatic/kafka group consumer')

    // A message's commit() commits the offset after it: the last one of each partition commits its end offset.
    for (const message of lastMessages.values()) await message.commit()
    const committed = await consumer.listCommittedOffsets({ topics: [{ topic, partitions: [0, 1, 2, 3] }] })
    assert.deepEqual(committed.get(topic), produced.endOffsets.map(BigInt), 'committed offsets (consumer view)')
  } finally {
    await consumer.close(true)
  }

  const admin = new Admin({ clientId: client.CLIENT_ID, bootstrapBrokers: [broker.bootstrap] })
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] })
    assert.equal(group.groupId, groupId)
    const topicOffsets = group.topics.find(t => t.name === topic)
    assert.ok(topicOffsets, `no committed offsets for ${topic}: ${JSON.stringify(group.topics.map(t => t.name))}`)
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions: [0, 1, 2, 3].map(partitionIndex => ({ partitionIndex, timestamp: -1n })) }] })
    for (let partition = 0; partition < GROUP_PARTITIONS; partition++) {
      const end = listed.partitions.find(p => p.partitionIndex === partition)
      const commit = topicOffsets.partitions.find(p => p.partitionIndex === partition)
      assert.equal(end.offset, BigInt(produced.endOffsets[partition]), `partition ${partition}: end offset`)
      assert.equal(commit?.committedOffset, end.offset, `partition ${partition}: committed offset`)
    }
  } finally {
    await admin.close()
  }
})
