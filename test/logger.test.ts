import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger, logsRequests } from '../src/logger.js';

delete process.env.NO_COLOR;

function stream(isTTY: boolean) {
  const out = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  out.isTTY = isTTY;
  let text = '';
  out.on('data', (chunk) => (text += chunk));
  out.text = () => text;
  return out;
}

test('on a terminal the log is one readable line per event, and requests are logged at info', () => {
  const tty = stream(true);
  const logger = createLogger('info', 'auto', tty as unknown as NodeJS.WriteStream);
  logger.info({ address: 'http://127.0.0.1:8080' }, 'atelier listening');
  assert.match(tty.text(), /\x1b\[32mINFO/, 'coloured');
  const plain = tty.text().replace(/\x1b\[\d+m/g, '');
  assert.match(plain, /^\[\d\d:\d\d:\d\d\] INFO: atelier listening \{"address":"http:\/\/127\.0\.0\.1:8080"\}\n$/);
  assert.equal(logsRequests(logger), true);
});

test('off a terminal, or with json, the log stays JSON lines', () => {
  assert.equal(logsRequests(createLogger('info', 'auto', stream(false) as unknown as NodeJS.WriteStream)), false);
  assert.equal(logsRequests(createLogger('info', 'json', stream(true) as unknown as NodeJS.WriteStream)), false);
  const piped = stream(false);
  const forced = createLogger('info', 'pretty', piped as unknown as NodeJS.WriteStream);
  forced.info('hello');
  assert.match(piped.text(), /^\[\d\d:\d\d:\d\d\] INFO: hello\n$/, 'pretty when asked, without colour off a terminal');
});
