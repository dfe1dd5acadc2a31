// @platformatic/kafka against a KafkaSharp broker: admin, produce with headers, group consume, every record checked.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startBroker } from '../lib/broker.mjs'
import * as client from '../lib/platformatic-client.mjs'
import { assertPartitionsEqual } from '../lib/records.mjs'

const COUNT = 10_000
let broker

before(async () => { broker = await startBroker('platformatic') })
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
