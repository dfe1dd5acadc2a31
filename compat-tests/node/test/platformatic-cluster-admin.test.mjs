// @platformatic/kafka's admin calls that send DescribeLogDirs and the ACL APIs as they are on the wire
// (Confluent.Kafka has no DescribeLogDirs call): the data directory with each partition's size, and
// SECURITY_DISABLED for the ACL calls, as a Kafka broker without an authorizer answers.
import { AclOperations, AclPermissionTypes, Admin, ResourcePatternTypes, ResourceTypes } from '@platformatic/kafka'
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { startBroker } from '../lib/broker.mjs'
import * as client from '../lib/platformatic-client.mjs'

const PARTITIONS = 3
const COUNT = 300
let broker

before(async () => { broker = await startBroker('platformatic-cluster-admin') })
after(async () => { await broker?.stop() })

test('@platformatic/kafka describeLogDirs reports the data directory and the size of every partition', { timeout: 60_000 }, async () => {
  const topic = `platformatic-log-dirs-${Date.now()}`
  await client.createTopic(broker.bootstrap, topic, PARTITIONS)
  await client.produce(broker.bootstrap, topic, COUNT)
  const admin = new Admin({ clientId: client.CLIENT_ID, bootstrapBrokers: [broker.bootstrap] })
  try {
    const described = await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0, 1, 2] }] })
    assert.equal(described.length, 1)
    const result = described[0].results[0]
    assert.equal(described[0].results.length, 1)
    assert.ok(path.isAbsolute(result.logDir), result.logDir)
    assert.match(path.basename(result.logDir), /^kafkasharp-node-platformatic-cluster-admin-/)
    assert.ok(result.totalBytes > 0n || result.totalBytes > 0, `totalBytes ${result.totalBytes}`)
    assert.equal(result.topics.length, 1)
    assert.equal(result.topics[0].name, topic)
    const partitions = result.topics[0].partitions
    assert.deepEqual(partitions.map(p => p.partitionIndex).sort(), [0, 1, 2])
    for (const partition of partitions) {
      assert.ok(Number(partition.partitionSize) > 0, `partition ${partition.partitionIndex} size ${partition.partitionSize}`)
      assert.equal(Number(partition.offsetLag), 0)
      assert.equal(partition.isFutureKey, false)
    }
  } finally {
    await admin.close()
  }
})

test('@platformatic/kafka ACL calls fail with SECURITY_DISABLED', { timeout: 60_000 }, async () => {
  const admin = new Admin({ clientId: client.CLIENT_ID, bootstrapBrokers: [broker.bootstrap] })
  const filter = {
    resourceType: ResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperations.ANY,
    permissionType: AclPermissionTypes.ANY
  }
  const acl = {
    resourceType: ResourceTypes.TOPIC,
    resourceName: 'orders',
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: AclOperations.READ,
    permissionType: AclPermissionTypes.ALLOW
  }
  try {
    for (const call of [() => admin.describeAcls({ filter }), () => admin.createAcls({ creations: [acl] }), () => admin.deleteAcls({ filters: [filter] })]) {
      // The client reports Kafka's description of error 54 (SECURITY_DISABLED) for each failed item.
      await assert.rejects(call(), error => {
        const causes = leafErrors(error)
        assert.ok(causes.length > 0)
        for (const cause of causes) assert.equal(cause.message, 'Security features are disabled.')
        return true
      })
    }
  } finally {
    await admin.close()
  }
})

function leafErrors (error) {
  return error.errors?.length ? error.errors.flatMap(leafErrors) : [error]
}
