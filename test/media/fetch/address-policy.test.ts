import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkAddress } from '../../../src/media/fetch/index.js';

const REFUSED: Array<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  ['168.63.129.16', 'cloudHostEndpoint'],
  ['::ffff:168.63.129.16', 'cloudHostEndpoint'],
  ['[::ffff:a83f:8110]', 'cloudHostEndpoint'],
  ['169.254.0.1', 'linkLocal'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.255', 'carrierGradeNat'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['[::1]', 'loopback'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456:789a::1', 'uniqueLocal'],
  ['fe80::1', 'linkLocal'],
  ['febf::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'linkLocal'],
  ['::ffff:100.64.1.1', 'carrierGradeNat'],
  ['::ffff:192.168.0.1', 'private'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['::127.0.0.1', 'loopback'],
  ['::a9fe:a9fe', 'linkLocal'],
  ['::10.0.0.1', 'private'],
  ['::8.8.8.8', 'ipv4Compatible'],
  ['64:ff9b::7f00:1', 'rfc6052'],
  ['2002:7f00:1::', '6to4'],
  ['2001:0:4136:e378::1', 'teredo'],
  ['2001:db8::1', 'reserved'],
  ['not-an-ip', 'invalid'],
  ['', 'invalid'],
];

const ALLOWED = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'];

describe('address policy', () => {
  for (const [address, range] of REFUSED) {
    test(`refuses ${address || '(empty)'} as ${range}`, () => {
      assert.deepEqual(checkAddress(address), { allowed: false, range });
    });
  }
  for (const address of ALLOWED) {
    test(`allows the public address ${address}`, () => {
      assert.deepEqual(checkAddress(address), { allowed: true });
    });
  }
});
