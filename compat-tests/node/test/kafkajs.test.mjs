// kafkajs against a KafkaSharp broker: admin, produce with headers, group consume, every record checked;
// and a two-member group sharing a topic that kcat wrote.
import kafkajs from 'kafkajs'
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { GROUP_OVERRIDES, startBroker } from '../lib/broker.mjs'
import * as client from '../lib/kafkajs-client.mjs'
import { assertKcatRecords, produceWithKcat } from '../lib/kcat.mjs'
import { assertPartitionsEqual } from '../lib/records.mjs'

const COUNT = 10_000
const GROUP_PARTITIONS = 4
const GROUP_COUNT = 2_000
const WAIT_MS = 60_000
const COMMIT_WAIT_MS = 10_000
let broker

before(async () => { broker = await startBroker('kafkajs', GROUP_OVERRIDES) })
after(async () => { await broker?.stop() })

test('kafkajs creates a 3-partition topic that metadata lists', { timeout: 60_000 }, async () => {
  await client.createTopic(broker.bootstrap, `kafkajs-admin-${Date.now()}`)
})

test('kafkajs produces 10,000 records with headers and a group consumer reads every one back in order', { timeout: 180_000 }, async () => {
  const topic = `kafkajs-round-trip-${Date.now()}`
  await client.createTopic(broker.bootstrap, topic)
  await client.produce(broker.bootstrap, topic, COUNT)
  const partitions = await client.consume(broker.bootstrap, topic, COUNT, 120_000)
  assert.equal(partitions.reduce((sum, records) => sum + records.length, 0), COUNT)
  assertPartitionsEqual('kafkajs', COUNT, partitions)
})

test('two kafkajs members of one group split a 4-partition topic kcat wrote, read every record once and commit the end offsets; when one leaves the other resumes its partitions from the commits', { timeout: 240_000 }, async () => {
  const topic = `kafkajs-group-${Date.now()}`
  const groupId = `kafkajs-two-members-${Date.now()}`
  await client.createTopic(broker.bootstrap, topic, GROUP_PARTITIONS)
  const admin = client.kafka(broker.bootstrap).admin()
  await admin.connect()
  const members = []
  try {
    members.push(...await Promise.all(['a', 'b'].map(name => startMember(broker.bootstrap, groupId, topic, name))))
    const [a, b] = members
    // Records are produced only once the members hold their shares, so no rebalance can hand a partition
    // over mid-read (which kafkajs' at-least-once delivery would be allowed to answer with duplicates).
    const assignment = await waitForSplit(admin, groupId, topic, members)
    const first = await readWhileStable(members, () => produceWithKcat(broker.bootstrap, topic, GROUP_PARTITIONS, GROUP_COUNT, { label: 'kafkajs-group', codec: 'gzip' }))
    const partitions = Array.from({ length: GROUP_PARTITIONS }, () => [])
    for (const member of members) {
      const own = assignment.get(member.name)
      assert.ok(member.records.length > 0, `member ${member.name} read nothing`)
      for (const record of member.records) {
        assert.ok(own.includes(record.partition), `member ${member.name} (partitions ${own}) read partition ${record.partition} offset ${record.offset}`)
        partitions[record.partition].push(record)
      }
    }
    assertKcatRecords(first, partitions, 'kafkajs two-member group')
    // kafkajs commits what eachMessage resolved at the end of each batch, and when it leaves the group.
    await assertCommitted(admin, groupId, topic, first.endOffsets)

    // b leaves: a takes over all partitions and must start b's where b committed, so it reads only what follows.
    await b.consumer.disconnect()
    members.pop()
    await waitForSplit(admin, groupId, topic, [a])
    await assertCommitted(admin, groupId, topic, first.endOffsets)
    a.records.length = 0
    const second = await readWhileStable([a], () => produceWithKcat(broker.bootstrap, topic, GROUP_PARTITIONS, GROUP_COUNT / 4, { label: 'kafkajs-group', codec: 'none', from: GROUP_COUNT }))
    assertKcatRecords(second, byPartition(a.records), 'kafkajs member after the other left')
    await a.consumer.disconnect()
    await assertCommitted(admin, groupId, topic, second.endOffsets)
  } finally {
    await Promise.all(members.map(m => m.consumer.disconnect()))
    await admin.disconnect()
  }
})

/**
 * Runs `produce` (a kcat run), then waits until the members have read as many records as it produced and a
 * moment longer for any duplicate; asserts the group did not rebalance meanwhile. Returns what `produce` did.
 */
async function readWhileStable (members, produce) {
  const joins = members.map(m => m.joins.length)
  const before = members.reduce((sum, m) => sum + m.records.length, 0)
  const produced = await produce()
  const count = produced.expected.reduce((sum, records) => sum + records.length, 0)
  await waitUntil(() => members.reduce((sum, m) => sum + m.records.length, 0) - before >= count, WAIT_MS,
    () => `members read ${members.map(m => `${m.name}: ${m.records.length}`).join(', ')} records, ${count} new ones expected`, members)
  await sleep(1_500)
  assert.deepEqual(members.map(m => m.joins.length), joins, 'the group rebalanced while the records were read')
  return produced
}

/**
 * The group's committed offsets, as kafkajs admin fetchOffsets reads them, equal `endOffsets` and the topic's
 * end offsets (ListOffsets). kafkajs sends its last commit after the last record's eachMessage returns, so
 * the commits get a few seconds to arrive before they are compared.
 */
async function assertCommitted (admin, groupId, topic, endOffsets) {
  const fetchCommitted = async () => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
    assert.equal(committed.topic, topic)
    return endOffsets.map((_, partition) => Number(committed.partitions.find(o => o.partition === partition)?.offset))
  }
  const deadline = Date.now() + COMMIT_WAIT_MS
  let committed = await fetchCommitted()
  while (Date.now() < deadline && committed.some((offset, partition) => offset !== endOffsets[partition])) {
    await sleep(200)
    committed = await fetchCommitted()
  }
  const listed = await admin.fetchTopicOffsets(topic)
  for (let partition = 0; partition < endOffsets.length; partition++) {
    const end = listed.find(o => o.partition === partition)
    assert.equal(Number(end.high), endOffsets[partition], `partition ${partition}: high watermark`)
    assert.equal(Number(end.low), 0, `partition ${partition}: log start offset`)
    assert.equal(committed[partition], endOffsets[partition], `partition ${partition}: committed offset ${committed[partition]}, end offset ${end.high}`)
  }
}

function byPartition (records) {
  const partitions = Array.from({ length: GROUP_PARTITIONS }, () => [])
  for (const record of records) partitions[record.partition].push(record)
  return partitions
}

/** A running group member recording its joins (with the assignment kafkajs reports) and every record it reads. */
async function startMember (bootstrap, groupId, topic, name) {
  const consumer = client.kafka(bootstrap).consumer({ groupId, heartbeatInterval: 500 })
  const member = { name, consumer, joins: [], records: [], failure: null }
  consumer.on(consumer.events.GROUP_JOIN, event => member.joins.push(event.payload))
  consumer.on(consumer.events.CRASH, event => { member.failure = event.payload.error })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  // run() returns once the member has joined and synced.
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      member.records.push({
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: Object.entries(message.headers ?? {}).map(([headerName, value]) => [headerName, value?.toString() ?? null]),
        timestamp: Number(message.timestamp)
      })
    }
  })
  return member
}

/**
 * Waits until the coordinator describes the group as Stable with exactly these members, each holding what its
 * own client last reported from SyncGroup; asserts the shares are non-empty, disjoint and cover every partition.
 * Returns member name -> partitions.
 */
async function waitForSplit (admin, groupId, topic, members) {
  let described
  await waitUntil(async () => {
    const { groups } = await admin.describeGroups([groupId])
    described = groups[0]
    if (described.errorCode !== 0 || described.state !== 'Stable' || described.members.length !== members.length) return false
    return members.every(member => {
      const join = member.joins.at(-1)
      const entry = join && described.members.find(m => m.memberId === join.memberId)
      return entry && sameItems(partitionsOf(entry, topic), join.memberAssignment[topic] ?? [])
    })
  }, WAIT_MS, () => `group never settled with members ${members.map(m => m.name)}: ${JSON.stringify(describeForMessage(described, topic))}`, members)

  assert.equal(described.protocolType, 'consumer')
  const assignment = new Map()
  for (const member of members) {
    const entry = described.members.find(m => m.memberId === member.joins.at(-1).memberId)
    const partitions = partitionsOf(entry, topic)
    assert.ok(partitions.length > 0, `member ${member.name} was assigned no partition`)
    assignment.set(member.name, partitions)
  }
  const all = [...assignment.values()].flat().sort((x, y) => x - y)
  assert.deepEqual(all, Array.from({ length: GROUP_PARTITIONS }, (_, p) => p), `assignment ${JSON.stringify([...assignment])} is not a disjoint cover of the partitions`)
  return assignment
}

function partitionsOf (describedMember, topic) {
  const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(describedMember.memberAssignment)
  return [...(decoded?.assignment[topic] ?? [])].sort((x, y) => x - y)
}

function describeForMessage (group, topic) {
  return group && { state: group.state, members: group.members.map(m => ({ memberId: m.memberId, partitions: partitionsOf(m, topic) })) }
}

function sameItems (left, right) {
  return left.length === right.length && [...right].sort((x, y) => x - y).every((value, i) => value === left[i])
}

async function waitUntil (condition, timeoutMs, describe, members) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    for (const member of members) if (member.failure) throw new Error(`member ${member.name} crashed`, { cause: member.failure })
    if (Date.now() > deadline) assert.fail(`${describe()} within ${timeoutMs} ms`)
    await sleep(100)
  }
}
