// @platformatic/kafka against the cluster admin APIs that librdkafka does not send: DescribeCluster v1 and
// DescribeTopicPartitions v0 through the client's request functions (its Admin has no call for them),
// describeLogDirs (the data directory with each partition's size), and the ACL calls, which fail with
// SECURITY_DISABLED as a Kafka broker without an authorizer answers.
import {
  AclOperations, AclPermissionTypes, Admin, Connection, describeClusterV1, describeTopicPartitionsV0, ResourcePatternTypes, ResourceTypes
} from '@platformatic/kafka'
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

test('DescribeCluster v1 names this broker at the bootstrap address as the controller', { timeout: 60_000 }, async () => {
  const [host, port] = broker.bootstrap.split(':')
  const connection = new Connection(client.CLIENT_ID)
  await connection.connect(host, Number(port))
  try {
    const cluster = await describeClusterV1.api.async(connection, true, 1)
    assert.equal(cluster.errorCode, 0)
    assert.equal(cluster.endpointType, 1)
    assert.ok(cluster.clusterId.length > 0)
    assert.equal(cluster.brokers.length, 1)
    assert.deepEqual(cluster.brokers[0], { brokerId: cluster.controllerId, host, port: Number(port), rack: null })
    // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE: no authorizer.
    assert.equal(cluster.clusterAuthorizedOperations, 8096)
  } finally {
    await connection.close()
  }
})

test('DescribeTopicPartitions v0 pages a topic with the partition limit and the cursor', { timeout: 60_000 }, async () => {
  const topic = `platformatic-topic-partitions-${Date.now()}`
  await client.createTopic(broker.bootstrap, topic, PARTITIONS)
  const [host, port] = broker.bootstrap.split(':')
  const connection = new Connection(client.CLIENT_ID)
  await connection.connect(host, Number(port))
  try {
    const first = await describeTopicPartitionsV0.api.async(connection, [{ name: topic }], 2)
    assert.deepEqual(first.topics.map(t => [t.name, t.errorCode]), [[topic, 0]])
    assert.deepEqual(first.topics[0].partitions.map(p => p.partitionIndex), [0, 1])
    for (const partition of first.topics[0].partitions) {
      assert.equal(partition.leaderEpoch, 0)
      assert.deepEqual(partition.replicaNodes, [partition.leaderId])
      assert.deepEqual(partition.isrNodes, [partition.leaderId])
    }
    assert.deepEqual(first.nextCursor, { topicName: topic, partitionIndex: 2 })

    const second = await describeTopicPartitionsV0.api.async(connection, [{ name: topic }], 2, first.nextCursor)
    assert.deepEqual(second.topics[0].partitions.map(p => p.partitionIndex), [2])
    assert.equal(second.nextCursor ?? null, null)

    // The client turns a topic's error code into a rejection: UNKNOWN_TOPIC_OR_PARTITION for an unknown topic.
    await assert.rejects(describeTopicPartitionsV0.api.async(connection, [{ name: `${topic}-missing` }], 10), error => {
      assert.deepEqual(leafErrors(error).map(cause => cause.message), ['This server does not host this topic-partition.'])
      return true
    })
  } finally {
    await connection.close()
  }
})

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
