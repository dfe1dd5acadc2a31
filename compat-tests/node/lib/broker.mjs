// Starts the already-built KafkaSharp broker (src/Broker/bin/Release/net10.0/kafkasharp.dll) on a free
// port with a temporary data folder, like BrokerFixture.cs does for the C# compat tests. Build it first:
// `dotnet build -c Release KafkaSharp.sln` (test.sh does). Broker output goes to TestResults/broker-logs/.
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const brokerDll = path.join(repositoryRoot, 'src', 'Broker', 'bin', 'Release', 'net10.0', 'kafkasharp.dll')
const logDirectory = path.join(repositoryRoot, 'TestResults', 'broker-logs')
const START_TIMEOUT_MS = 30_000

/** A new group's first generation waits this long for more members (Kafka's 3 s would only slow every group test). */
export const GROUP_OVERRIDES = ['group.initial.rebalance.delay.ms=300']
const STOP_TIMEOUT_MS = 15_000

function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function acceptsConnections (port) {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => { socket.destroy(); resolve(false) })
  })
}

export async function startBroker (name, overrides = []) {
  if (!existsSync(brokerDll)) {
    throw new Error(`Broker not built: ${brokerDll} is missing. Run \`dotnet build -c Release KafkaSharp.sln\` (test.sh does).`)
  }
  const port = await freePort()
  const dataDirectory = mkdtempSync(path.join(tmpdir(), `kafkasharp-node-${name}-`))
  mkdirSync(logDirectory, { recursive: true })
  const logFile = path.join(logDirectory, `node-${name}-${port}.log`)
  const log = createWriteStream(logFile)
  let output = ''
  const args = [brokerDll, '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dataDirectory}`]
  for (const setting of overrides) args.push('--override', setting)
  const child = spawn('dotnet', args, { cwd: dataDirectory, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })))
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', chunk => { output += chunk; log.write(chunk) })
  }

  let exitStatus = null
  exited.then(status => { exitStatus = status })
  const started = Date.now()
  while (!(await acceptsConnections(port))) {
    if (exitStatus) {
      rmSync(dataDirectory, { recursive: true, force: true })
      throw new Error(`Broker exited (${JSON.stringify(exitStatus)}) before accepting connections on port ${port}.\n${output}`)
    }
    if (Date.now() - started > START_TIMEOUT_MS) {
      child.kill('SIGKILL')
      await exited
      rmSync(dataDirectory, { recursive: true, force: true })
      throw new Error(`Broker did not accept connections on port ${port} within ${START_TIMEOUT_MS} ms.\n${output}`)
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }

  return {
    bootstrap: `127.0.0.1:${port}`,
    logFile,
    async stop () {
      if (!exitStatus) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
        await exited
        clearTimeout(timer)
      }
      log.end()
      rmSync(dataDirectory, { recursive: true, force: true })
    }
  }
}
