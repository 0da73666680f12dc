// The console's reads across events (web/js/api.js), in Node without a
// browser: what a read answered after an event keeps of that event. The
// dialogs that use it are tested in the browser (admin, conversation and
// whatsapp tests).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadsAcrossEvents } from '../../web/js/api.js';

// A read whose answer the test hands over when it chooses.
function pending() {
  let answer;
  const promise = new Promise((resolve) => { answer = resolve; });
  return { ask: () => promise, answer };
}

test('a change that comes while a read is on its way is done again on top of its answer', async () => {
  const reads = new ReadsAcrossEvents();
  let shown = ['before'];
  reads.change(() => shown.push('changed before the read'));
  const list = pending();
  const reading = reads.read(list.ask, (answer) => { shown = [...answer]; });
  reads.change(() => shown.push('changed meanwhile'));
  assert.deepEqual(shown, ['before', 'changed before the read', 'changed meanwhile']);  // done at once too
  list.answer(['read']);
  assert.equal(await reading, true);
  assert.deepEqual(shown, ['read', 'changed meanwhile']);
  assert.equal(reads.change(() => shown.push('changed after')), 3);  // what the change returned
  assert.deepEqual(shown, ['read', 'changed meanwhile', 'changed after']);  // once
});

test('each read does again only what came since it was asked', async () => {
  const reads = new ReadsAcrossEvents();
  const done = [];
  const first = pending();
  const firstRead = reads.read(first.ask, () => done.push('first answer'));
  reads.change(() => done.push('a'));
  const second = pending();
  const secondRead = reads.read(second.ask, () => done.push('second answer'));
  reads.change(() => done.push('b'));
  done.length = 0;
  first.answer();
  await firstRead;
  assert.deepEqual(done, ['first answer', 'a', 'b']);
  done.length = 0;
  second.answer();
  await secondRead;
  assert.deepEqual(done, ['second answer', 'b']);
});

test('a read answered after a later one is dropped', async () => {
  const reads = new ReadsAcrossEvents();
  let shown = null;
  const older = pending();
  const olderRead = reads.read(older.ask, (answer) => { shown = answer; });
  const newer = pending();
  const newerRead = reads.read(newer.ask, (answer) => { shown = answer; });
  newer.answer('newer');
  assert.equal(await newerRead, true);
  reads.change(() => { shown += ' and changed'; });
  older.answer('older');
  assert.equal(await olderRead, false);
  assert.equal(shown, 'newer and changed');
});

test('a read that fails takes nothing and keeps nothing for later changes', async () => {
  const reads = new ReadsAcrossEvents();
  const failing = pending();
  const reading = reads.read(async () => { await failing.ask(); throw new Error('offline'); }, () => assert.fail('taken'));
  failing.answer();
  await assert.rejects(reading, /offline/);
  assert.equal(reads.onTheirWay.size, 0);
});
