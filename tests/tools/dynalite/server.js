#!/usr/bin/env node
// dynalite for the PayApi tests: a real DynamoDB implementation on LevelDB, with the few operations it
// lacks answered in front of it, and faults the tests can switch on.
//
//   node server.js --port <port> [--path <dir>]     prints "listening <port>" when ready
//
// Added in front of dynalite:
//   TransactWriteItems    all-or-nothing: every key is snapshotted, the writes are applied in order with their
//                         own conditions, and a failed condition restores the snapshots and answers
//                         TransactionCanceledException with one cancellation reason per item, as DynamoDB does.
//                         While a transaction runs no other request reaches dynalite, so nobody sees half of it.
//   UpdateTimeToLive      recorded (in <path>/ttl.json) and answered by DescribeTimeToLive; dynalite never
//                         expires items, and DynamoDB's own expiry is lazy, so nothing may rely on it anyway.
//   POST /__faults        {"mode": "throttle" | "server_error" | "hang" | "lost_answer" | "unprocessed" | "none", "count": n,
//                         "operation"?: "DeleteItem", "table"?: "..."}: the next n DynamoDB requests (of that operation
//                         and table, when given) are answered with that fault (count -1: until switched off).
//                         lost_answer applies the request and then answers 500, as when a response is lost on its
//                         way: the client's retry meets the state its own first attempt left. unprocessed applies
//                         the first write of each table in a BatchWriteItem and hands the rest back as
//                         UnprocessedItems, as DynamoDB does under load (dynalite never does).
//   GET /__stats          {"requests": n, "faulted": n, "transactions": n}
'use strict'

const http = require('http')
const fs = require('fs')
const path = require('path')
const crypto = require('crypto')
const crc32 = require('buffer-crc32')
const dynalite = require('dynalite')

const args = require('minimist')(process.argv.slice(2))
const port = Number(args.port || 0)
const dataPath = args.path ? path.resolve(String(args.path)) : null
const ttlFile = dataPath ? path.join(dataPath, 'ttl.json') : null

const stats = { requests: 0, faulted: 0, transactions: 0 }
let fault = { mode: 'none', count: 0 }
let ttl = {}
if (ttlFile && fs.existsSync(ttlFile)) ttl = JSON.parse(fs.readFileSync(ttlFile, 'utf8'))

// --- a readers-writer gate: transactions run alone, everything else runs side by side -------------------
let readers = 0
let writer = false
const waiting = []
function acquire (exclusive) {
  return new Promise(resolve => { waiting.push({ exclusive, resolve }); pump() })
}
function release (exclusive) {
  if (exclusive) writer = false; else readers--
  pump()
}
function pump () {
  while (waiting.length > 0 && !writer) {
    const next = waiting[0]
    if (next.exclusive) {
      if (readers > 0) return
      writer = true
    } else {
      readers++
    }
    waiting.shift()
    next.resolve()
  }
}

// --- talking to dynalite on its private port ---------------------------------------------------------------
let inner
function callInner (target, body, headers) {
  return new Promise((resolve, reject) => {
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body))
    const req = http.request({
      host: '127.0.0.1',
      port: inner.address().port,
      method: 'POST',
      path: '/',
      headers: Object.assign({}, headers || innerHeaders(), {
        'x-amz-target': target,
        'content-length': payload.length,
      }),
    }, res => {
      const chunks = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(payload)
  })
}
function innerHeaders () {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
    authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
  }
}
async function op (name, body) {
  const res = await callInner('DynamoDB_20120810.' + name, body)
  const parsed = res.body.length ? JSON.parse(res.body.toString('utf8')) : {}
  return { ok: res.status === 200, status: res.status, body: parsed }
}

function send (res, status, body, contentType) {
  const payload = Buffer.from(JSON.stringify(body))
  res.statusCode = status
  res.setHeader('content-type', contentType || 'application/x-amz-json-1.0')
  res.setHeader('x-amzn-requestid', crypto.randomBytes(26).toString('hex').toUpperCase())
  res.setHeader('x-amz-crc32', crc32.unsigned(payload))
  res.setHeader('content-length', payload.length)
  res.end(payload)
}
function awsError (type, message) {
  return { __type: 'com.amazonaws.dynamodb.v20120810#' + type, message }
}

// --- TransactWriteItems ------------------------------------------------------------------------------------
const keySchemas = new Map()
async function keyNames (table) {
  if (!keySchemas.has(table)) {
    const described = await op('DescribeTable', { TableName: table })
    if (!described.ok) return null
    keySchemas.set(table, described.body.Table.KeySchema.map(k => k.AttributeName))
  }
  return keySchemas.get(table)
}
function pick (item, names) {
  const key = {}
  for (const n of names) key[n] = item[n]
  return key
}
function expressionFields (part) {
  const out = {}
  for (const f of ['ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues']) {
    if (part[f] !== undefined) out[f] = part[f]
  }
  return out
}

async function transactWrite (request) {
  const items = request.TransactItems
  if (!Array.isArray(items) || items.length < 1 || items.length > 100) {
    return [400, awsError('ValidationException', 'TransactItems must have between 1 and 100 items.')]
  }

  // Resolve every item's table and key first; DynamoDB refuses two operations on one item.
  const plan = []
  const seen = new Set()
  for (const entry of items) {
    const kinds = ['Put', 'Update', 'Delete', 'ConditionCheck'].filter(k => entry[k])
    if (kinds.length !== 1) return [400, awsError('ValidationException', 'Each TransactItem must name exactly one of Put, Update, Delete or ConditionCheck.')]
    const kind = kinds[0]
    const part = entry[kind]
    const names = await keyNames(part.TableName)
    if (!names) return [400, awsError('ResourceNotFoundException', 'Requested resource not found')]
    const key = kind === 'Put' ? pick(part.Item || {}, names) : part.Key
    const identity = part.TableName + '|' + JSON.stringify(key)
    if (seen.has(identity)) return [400, awsError('ValidationException', 'Transaction request cannot include multiple operations on one item')]
    seen.add(identity)
    plan.push({ kind, part, key })
  }

  for (const step of plan) {
    const got = await op('GetItem', { TableName: step.part.TableName, Key: step.key, ConsistentRead: true })
    if (!got.ok) return [got.status, got.body]
    step.before = got.body.Item || null
  }

  const applied = []
  const reasons = plan.map(() => ({ Code: 'None' }))
  let failure = null
  for (let i = 0; i < plan.length && !failure; i++) {
    const { kind, part, key } = plan[i]
    let result
    if (kind === 'Put') {
      result = await op('PutItem', Object.assign({ TableName: part.TableName, Item: part.Item }, expressionFields(part)))
    } else if (kind === 'Update') {
      result = await op('UpdateItem', Object.assign({ TableName: part.TableName, Key: key, UpdateExpression: part.UpdateExpression }, expressionFields(part)))
    } else if (kind === 'Delete') {
      result = await op('DeleteItem', Object.assign({ TableName: part.TableName, Key: key }, expressionFields(part)))
    } else {
      // A pure condition: removing an attribute nobody has evaluates the condition and changes nothing
      // (a missing item it creates is deleted again below, from its snapshot).
      const names = Object.assign({}, part.ExpressionAttributeNames, { '#payapi_tx_check': 'payapi_tx_check' })
      result = await op('UpdateItem', Object.assign({ TableName: part.TableName, Key: key, UpdateExpression: 'REMOVE #payapi_tx_check' },
        expressionFields(part), { ExpressionAttributeNames: names }))
    }
    applied.push(plan[i])
    if (!result.ok) {
      const type = String(result.body.__type || '')
      if (type.endsWith('ConditionalCheckFailedException')) {
        reasons[i] = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
        if (part.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && plan[i].before) reasons[i].Item = plan[i].before
        failure = [400, Object.assign(awsError('TransactionCanceledException',
          'Transaction cancelled, please refer cancellation reasons for specific reasons [' + reasons.map(r => r.Code).join(', ') + ']'),
        { CancellationReasons: reasons })]
      } else {
        failure = [result.status, result.body]
      }
    }
  }

  if (failure) {
    for (const step of applied.reverse()) await restore(step)
    return failure
  }
  for (const step of plan) {
    if (step.kind === 'ConditionCheck' && step.before === null) await restore(step)
  }
  stats.transactions++
  return [200, {}]
}
async function restore (step) {
  if (step.before) await op('PutItem', { TableName: step.part.TableName, Item: step.before })
  else await op('DeleteItem', { TableName: step.part.TableName, Key: step.key })
}

// --- Time to live ------------------------------------------------------------------------------------------
function updateTimeToLive (request) {
  const spec = request.TimeToLiveSpecification || {}
  if (!request.TableName || typeof spec.AttributeName !== 'string' || typeof spec.Enabled !== 'boolean') {
    return [400, awsError('ValidationException', 'TableName and TimeToLiveSpecification (AttributeName, Enabled) are required.')]
  }
  const current = ttl[request.TableName]
  if (current && current.enabled === spec.Enabled) {
    return [400, awsError('ValidationException', 'TimeToLive is already ' + (spec.Enabled ? 'enabled' : 'disabled'))]
  }
  ttl[request.TableName] = { attribute: spec.AttributeName, enabled: spec.Enabled }
  if (ttlFile) fs.writeFileSync(ttlFile, JSON.stringify(ttl))
  return [200, { TimeToLiveSpecification: spec }]
}
function describeTimeToLive (request) {
  const current = ttl[request.TableName]
  if (!current || !current.enabled) return null
  return [200, { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: current.attribute } }]
}

// --- faults and the front door -----------------------------------------------------------------------------
function takeFault (operation, request) {
  if (fault.mode === 'none' || fault.count === 0) return null
  if (fault.operation && fault.operation !== operation) return null
  if (fault.table && (!request || request.TableName !== fault.table)) return null
  if (fault.count > 0) fault.count--
  stats.faulted++
  return fault.mode
}

async function handle (req, res, body) {
  if (req.url === '/__faults' && req.method === 'POST') {
    const wanted = JSON.parse(body.toString('utf8') || '{}')
    fault = {
      mode: wanted.mode || 'none',
      count: wanted.count === undefined ? -1 : Number(wanted.count),
      operation: wanted.operation || null,
      table: wanted.table || null,
    }
    return send(res, 200, fault, 'application/json')
  }
  if (req.url === '/__stats') return send(res, 200, stats, 'application/json')

  stats.requests++
  const target = String(req.headers['x-amz-target'] || '')
  const operation = target.slice(target.indexOf('.') + 1)
  let parsed = null
  try { parsed = JSON.parse(body.toString('utf8') || '{}') } catch (e) { parsed = null }
  const injected = takeFault(operation, parsed)
  if (injected === 'lost_answer') {
    await acquire(false)
    try {
      await callInner(target, body, req.headers)
    } finally {
      release(false)
    }
    return send(res, 500, awsError('InternalServerError', 'Internal server error'))
  }
  if (injected === 'unprocessed' && operation === 'BatchWriteItem' && parsed && parsed.RequestItems) {
    // As DynamoDB does under load: some writes of the batch done, the rest handed back to send again.
    const done = {}
    const rest = {}
    for (const [table, writes] of Object.entries(parsed.RequestItems)) {
      done[table] = writes.slice(0, 1)
      if (writes.length > 1) rest[table] = writes.slice(1)
    }
    await acquire(false)
    try {
      const forwarded = await callInner(target, Buffer.from(JSON.stringify({ RequestItems: done })), req.headers)
      if (forwarded.status !== 200) {
        res.writeHead(forwarded.status, forwarded.headers)
        return res.end(forwarded.body)
      }
    } finally {
      release(false)
    }
    return send(res, 200, { UnprocessedItems: rest })
  }
  switch (injected) {
    case 'throttle':
      return send(res, 400, awsError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.'))
    case 'server_error':
      return send(res, 500, awsError('InternalServerError', 'Internal server error'))
    case 'hang':
      return // never answered: the client's timeout must end it
  }

  if (operation === 'TransactWriteItems' || operation === 'UpdateTimeToLive' || operation === 'DescribeTimeToLive') {
    const request = JSON.parse(body.toString('utf8') || '{}')
    if (operation === 'UpdateTimeToLive') return send(res, ...updateTimeToLive(request))
    if (operation === 'DescribeTimeToLive') {
      const described = describeTimeToLive(request)
      if (described) return send(res, ...described)
    } else {
      await acquire(true)
      try {
        return send(res, ...await transactWrite(request))
      } finally {
        release(true)
      }
    }
  }

  await acquire(false)
  try {
    const forwarded = await callInner(target, body, req.headers)
    res.writeHead(forwarded.status, forwarded.headers)
    res.end(forwarded.body)
  } finally {
    release(false)
  }
}

inner = dynalite({ path: dataPath || undefined, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
inner.listen(0, '127.0.0.1', () => {
  const front = http.createServer((req, res) => {
    const chunks = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(err => {
        if (!res.headersSent) send(res, 500, awsError('InternalServerError', String(err && err.message)))
      })
    })
  })
  front.keepAliveTimeout = 60000
  front.listen(port, '127.0.0.1', () => {
    console.log('listening ' + front.address().port)
  })
})

function stop () { process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
