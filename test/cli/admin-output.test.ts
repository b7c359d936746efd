import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { renderTable } from '../../src/cli/table.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/atelier.js');
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('admin commands print tables on a terminal, JSON otherwise; atelier completion', () => {
  let dataDir: string;
  before(async () => {
    dataDir = tempDir();
    assert.equal((await runCli('atelier', ['clients', 'create', '--name', 'acme', '--credits', '5', '--data-dir', dataDir])).code, 0);
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('a list is a table with a header row; one object is field/value lines', () => {
    assert.equal(
      renderTable({ data: [{ id: 'a', name: 'acme', balance_micros: 5, fault: null }, { id: 'bb', name: 'b', balance_micros: null, fault: 'stuck' }] }),
      'ID  NAME  BALANCE_MICROS  FAULT\na   acme  5               -\nbb  b     -               stuck\n',
    );
    assert.equal(renderTable({ client: { id: 'a', name: 'acme' }, key: 'luma-api-x' }), 'client.id    a\nclient.name  acme\nkey          luma-api-x\n');
    assert.equal(renderTable({ data: [] }), '(none)\n');
  });

  test('piped output is JSON; --json is JSON on a terminal too', async () => {
    const piped = await runCli('atelier', ['clients', 'list', '--data-dir', dataDir]);
    assert.equal(JSON.parse(piped.stdout).data[0].name, 'acme');
  });

  test('on a terminal (a pty) the same command prints a table', { skip: !hasScript && 'needs script(1) from util-linux for a pty' }, () => {
    const command = (extra: string) => `"${process.execPath}" "${CLI}" clients list --data-dir "${dataDir}"${extra}`;
    const table = execFileSync('script', ['-qec', command(''), '/dev/null'], { encoding: 'utf8' }).replace(/\r/g, '');
    assert.match(table, /^ID\s+NAME\s+STATUS\s+RPM_LIMIT\s+MAX_CONCURRENT\s+BALANCE_MICROS\s+CREATED_AT\n\S+\s+acme\s+active\s+-\s+-\s+5000000\s/);
    const json = execFileSync('script', ['-qec', command(' --json'), '/dev/null'], { encoding: 'utf8' }).replace(/\r/g, '');
    assert.equal(JSON.parse(json).data[0].name, 'acme');
  });

  test('atelier completion bash completes commands and subcommands; zsh and fish scripts are printed', async () => {
    const script = (await runCli('atelier', ['completion', 'bash'])).stdout;
    assert.match(script, /^# atelier completion for bash: eval "\$\(atelier completion bash\)"/);
    const complete = (words: string[]) =>
      execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _atelier; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).trim();
    assert.equal(complete(['atelier', 'cl']), 'clients clock');
    assert.equal(complete(['atelier', 'clients', 'cr']), 'create');
    assert.match(complete(['atelier', 'generate', 'x', '--dur']), /--duration/);
    assert.match((await runCli('atelier', ['completion', 'zsh'])).stdout, /^#compdef atelier\n/);
    assert.match((await runCli('atelier', ['completion', 'fish'])).stdout, /^# atelier completion for fish: atelier completion fish \| source\n/);
    assert.equal((await runCli('atelier', ['completion', 'tcsh'])).code, 2);
  });
});
