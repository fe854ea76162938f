#!/usr/bin/env node
// s3rver for the PayApi tests: a real S3 REST server whose buckets and objects are plain files, so a test can
// search them for plaintext that should never have left the process.
//
//   node server.js --directory <dir> [--port <port>]     prints "listening <port>" when ready (port 0: any free one)
//
// Objects live in <dir>/objects (s3rver's own layout). Two things are added in front of s3rver:
//   credentials           s3rver knows one access key (S3RVER) and does not check SigV4 signatures; here every
//                         access key is accepted as that account, so the AWS SDK's signed requests with whatever
//                         dummy credentials a test uses get through.
//   server-side encryption s3rver drops x-amz-server-side-encryption (and the KMS key id) on the floor. Here a PUT's
//                         encryption headers are recorded (appended to <dir>/sse.log, so they survive a restart)
//                         and answered back on that PUT and on later HEAD/GET of the object, as S3 does. Nothing is
//                         encrypted: the files stay as sent, which is what the canary tests want to search.
//   continuation tokens   s3rver seals ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17 and
//                         later) only has in its legacy provider: every second page of a listing failed with 500.
//                         Here 'des' is an identity stand-in, so a token is the next key in the clear. Tokens are
//                         opaque to clients; nothing else in s3rver uses DES.
'use strict'

const crypto = require('crypto')
const fs = require('fs')
const http = require('http')
const path = require('path')

const passThrough = () => ({ update: (data, encoding) => Buffer.from(data, encoding), final: () => Buffer.alloc(0) })
const createCipheriv = crypto.createCipheriv
const createDecipheriv = crypto.createDecipheriv
crypto.createCipheriv = (algorithm, ...rest) => algorithm === 'des' ? passThrough() : createCipheriv(algorithm, ...rest)
crypto.createDecipheriv = (algorithm, ...rest) => algorithm === 'des' ? passThrough() : createDecipheriv(algorithm, ...rest)
const S3rver = require('s3rver')
const AWSAccount = require('s3rver/lib/models/account')

function option (name) {
  const at = process.argv.indexOf('--' + name)
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : undefined
}

const port = Number(option('port') || 0)
const directory = option('directory')
if (!directory) {
  console.error('usage: node server.js --directory <dir> [--port <port>]')
  process.exit(2)
}
const root = path.resolve(directory)
const objects = path.join(root, 'objects')
const sseLog = path.join(root, 'sse.log')
fs.mkdirSync(objects, { recursive: true })

// Any access key is the dummy account: the tests check what is stored, not who signed.
const registryGet = AWSAccount.registry.get.bind(AWSAccount.registry)
AWSAccount.registry.get = accessKeyId => registryGet(accessKeyId) || AWSAccount.DUMMY_ACCOUNT

// "bucket/key" -> { 'x-amz-server-side-encryption': ..., 'x-amz-server-side-encryption-aws-kms-key-id'?: ... }
const encryption = new Map()
if (fs.existsSync(sseLog)) {
  for (const line of fs.readFileSync(sseLog, 'utf8').split('\n')) {
    if (!line) continue
    const entry = JSON.parse(line)
    if (entry.headers) encryption.set(entry.object, entry.headers)
    else encryption.delete(entry.object)
  }
}
function remember (object, headers) {
  if (headers) encryption.set(object, headers)
  else encryption.delete(object)
  fs.appendFileSync(sseLog, JSON.stringify({ object, headers }) + '\n')
}

const ENCRYPTION_HEADERS = ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id']

// The object a request names ("bucket/key"), or null for bucket-level and sub-resource requests.
function objectOf (req) {
  const [pathname, query] = req.url.split('?')
  const parts = pathname.split('/').slice(1)
  if (parts.length < 2 || parts[1] === '') return null
  if (query && /(^|&)(uploads|uploadId|acl|tagging|delete)(=|&|$)/.test(query)) return null
  return parts.map(decodeURIComponent).join('/')
}

// Adds the headers to a 2xx answer only: s3rver's error answers keep x-amz-* headers set beforehand.
function answerOnSuccess (res, headers) {
  const writeHead = res.writeHead
  res.writeHead = function (status, ...rest) {
    if (status >= 200 && status < 300) for (const name in headers) res.setHeader(name, headers[name])
    return writeHead.call(this, status, ...rest)
  }
}

const s3rver = new S3rver({ directory: objects, silent: true, resetOnClose: false, vhostBuckets: false })
const handle = s3rver.callback()

const server = http.createServer((req, res) => {
  const object = objectOf(req)
  if (object && req.method === 'PUT' && !req.headers['x-amz-copy-source']) {
    const sent = {}
    for (const name of ENCRYPTION_HEADERS) {
      if (req.headers[name]) sent[name] = req.headers[name]
    }
    const headers = Object.keys(sent).length ? sent : null
    if (headers) answerOnSuccess(res, headers)
    res.on('finish', () => { if (res.statusCode === 200) remember(object, headers) })
  } else if (object && (req.method === 'GET' || req.method === 'HEAD')) {
    const stored = encryption.get(object)
    if (stored) answerOnSuccess(res, stored)
  } else if (object && req.method === 'DELETE') {
    res.on('finish', () => { if (res.statusCode === 204 && encryption.has(object)) remember(object, null) })
  }
  handle(req, res)
})
server.keepAliveTimeout = 60000
server.listen(port, '127.0.0.1', () => {
  console.log('listening ' + server.address().port)
})

function stop () { process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
