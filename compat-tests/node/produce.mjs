// Creates a 3-partition topic and produces records with one node client, for verification elsewhere:
//   node produce.mjs <kafkajs|platformatic> <bootstrap host:port> <topic> <count>
// Exits non-zero with the error on any failure. NodeClientTests.cs reads the records back with Confluent.Kafka.
import * as kafkajs from './lib/kafkajs-client.mjs'
import * as platformatic from './lib/platformatic-client.mjs'

const clients = { kafkajs, platformatic }
const [clientName, bootstrap, topic, countText] = process.argv.slice(2)
const client = clients[clientName]
const count = Number(countText)
if (!client || !bootstrap || !topic || !Number.isInteger(count) || count <= 0) {
  console.error('usage: node produce.mjs <kafkajs|platformatic> <bootstrap> <topic> <count>')
  process.exit(2)
}

try {
  await client.createTopic(bootstrap, topic)
  await client.produce(bootstrap, topic, count)
  console.log(JSON.stringify({ client: clientName, topic, produced: count }))
} catch (error) {
  console.error(error)
  process.exit(1)
}
