import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_HINT, onInterrupt } from '../../../transforms/publish/console/console-interrupt.js';
import { displayWidth } from '../../../transforms/publish/console/display-width.js';
import { DEFAULT_PAGER, hasCommand, pagerCommand, runPager, shouldPage } from '../../../transforms/publish/console/pager.js';
import { runQuery } from '../../../transforms/publish/console/run-query.js';
import { sqlCompleter } from '../../../transforms/publish/console/sql-completer.js';
import { runConsole } from '../../../transforms/publish/console/sql-console.js';
import { openSqlSession } from '../../../transforms/publish/console/sql-session.js';
import { chooseLayout, renderTable, type DisplayOptions } from '../../../transforms/publish/console/table-output.js';
import { groupThousands } from '../../../transforms/publish/console/value-format.js';
import { renderVertical } from '../../../transforms/publish/console/vertical-output.js';
import { copyFixture } from './sql-fixture.js';

/**
 * The console for wide results, on the fixture warehouse (sql-fixture.ts): column widths from
 * the data, thousands separators, vertical and auto layout, the pager, tab completion and Ctrl-C.
 */

const run = promisify(execFile);
let dir: string;
let warehouse: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cq-sql-terminal-'));
  warehouse = await copyFixture(join(dir, 'warehouse.duckdb'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The terminal text of one query (runQuery, format table). */
async function shown(sql: string, display: DisplayOptions = {}): Promise<{ text: string; layout?: string }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const r = await runQuery({ warehouse, sql, stdout, display });
  return { text: text.replace(/\n[^\n]*rows? \(\d+\.\d{3} s\)\n$/, '\n'), ...(r.layout ? { layout: r.layout } : {}) };
}

describe('column widths come from the data', () => {
  it('header or widest value, CJK two columns, numbers right-aligned (hand-worked)', () => {
    // widths: branch max(6, 4, 4) = 6; balance max(7, 12, 10) = 12; name max(4, 北京分行 = 8, 上海 = 4) = 8.
    // Table width = 6 + 12 + 8 + 3 × 3 − 1 = 34 (the rule: 8 ─, ┼, 14 ─, ┼, 10 ─).
    expect(renderTable(['branch', 'balance', 'name'], [], [['BJ01', '1,047,000.00', '北京分行'], ['SH01', '824,000.00', '上海']], [false, true, false])).toBe(
      [
        ' branch │ balance      │ name',
        `${'─'.repeat(8)}┼${'─'.repeat(14)}┼${'─'.repeat(10)}`,
        ' BJ01   │ 1,047,000.00 │ 北京分行',
        ' SH01   │   824,000.00 │ 上海',
        '',
      ].join('\n'),
    );
  });

  it('a long ENUM type does not widen its column: "car" under product_id takes 10 columns, not 90', async () => {
    const { text } = await shown(
      `select 'car'::ENUM('car', 'mortgage', 'consumer_instalment', 'small_business', 'business', 'credit_card', 'personal', 'micro') as product_id`,
    );
    expect(text).toBe(` product_id\n${'─'.repeat(12)}\n car\n`);
  });

  it('very long text is cut at 48 columns with …; a header is never cut', async () => {
    const { text } = await shown(`select repeat('x', 100) as note, repeat('张', 30) as n, 1 as a_very_long_column_name_that_is_longer_than_its_value`, { mode: 'table' });
    const [header, , row] = text.split('\n');
    // note: 47 x + … = 48 columns. n: 23 张 (46 columns) + … = 47 (a 24th 张 would make 49).
    // The 53-character header sets the third column; its value is right-aligned under it.
    expect(header).toBe(` note${' '.repeat(44)} │ n${' '.repeat(46)} │ a_very_long_column_name_that_is_longer_than_its_value`);
    expect(row).toBe(` ${'x'.repeat(47)}… │ ${'张'.repeat(23)}… │ ${' '.repeat(52)}1`);
  });
});

describe('thousands separators (table and vertical only)', () => {
  it('groups integer and decimal digits', () => {
    expect(['1234567.89', '-1234567', '999', '1000', '0.000123', '1e+300', 'nan', '-inf', '12345678901234567890123'].map(groupThousands)).toEqual([
      '1,234,567.89', '-1,234,567', '999', '1,000', '0.000123', '1e+300', 'nan', '-inf', '12,345,678,901,234,567,890,123',
    ]);
  });

  it('numbers are grouped; ids, codes, years, periods and dates are not', async () => {
    const { text } = await shown(
      `select 1234567 as loans, -1234567.891::DECIMAL(18,3) as neg, 1234.5::DOUBLE as rate, 123456 as loan_id, 98765 as product_code,
              2026 as vintage_year, 20261031 as as_of_yyyymmdd, DATE '2026-10-31' as as_of_month, '1234567' as text_digits`,
      { mode: 'table' },
    );
    const cells = text.split('\n')[2]!.split('│').map((c) => c.trim());
    expect(cells).toEqual(['1,234,567', '-1,234,567.891', '1,234.5', '123456', '98765', '2026', '20261031', '2026-10-31', '1234567']);
  });

  it('warehouse money in the table, the raw value in CSV', async () => {
    const sql = `select loan_id, principal, term_months from core.dim_loans where loan_id in ('L001', 'L004') order by loan_id`;
    // widths: loan_id 7; principal max(9, 12) = 12; term_months 11.
    expect((await shown(sql)).text).toBe(
      [
        ' loan_id │ principal    │ term_months',
        `${'─'.repeat(9)}┼${'─'.repeat(14)}┼${'─'.repeat(13)}`,
        ' L001    │ 1,000,000.00 │         360',
        ' L004    │   100,000.00 │          36',
        '',
      ].join('\n'),
    );
    const csv = join(dir, 'money.csv');
    await runQuery({ warehouse, sql, format: 'csv', out: csv });
    expect(readFileSync(csv, 'utf8')).toBe('loan_id,principal,term_months\nL001,1000000.00,360\nL004,100000.00,36\n');
  });
});

describe('vertical and auto layout', () => {
  it('one field per line, records ruled "-[ RECORD n ]---" as wide as the widest field line (hand-worked)', () => {
    // name width 21; value width 10; rule = 1 + 21 + 3 + 10 = 35 columns.
    expect(renderVertical(['loan_id', 'outstanding_principal'], [['L001', '949,000.00'], ['L002', '24,000.00']], 80)).toBe(
      [
        `-[ RECORD 1 ]${'-'.repeat(22)}`,
        ' loan_id               │ L001',
        ' outstanding_principal │ 949,000.00',
        `-[ RECORD 2 ]${'-'.repeat(22)}`,
        ' loan_id               │ L002',
        ' outstanding_principal │ 24,000.00',
        '',
      ].join('\n'),
    );
    // 30 columns: the value gets 30 − 4 (name) − 4 = 22 columns, 21 x and …
    expect(renderVertical(['note'], [['x'.repeat(50)]], 30)).toBe(`-[ RECORD 1 ]${'-'.repeat(17)}\n note │ ${'x'.repeat(21)}…\n`);
    expect(renderVertical(['a'], [], 80)).toBe('(no rows)\n');
  });

  it.each([
    ['auto', 121, 120, 39, 3, 'vertical'],
    ['auto', 120, 120, 39, 3, 'table'],
    ['auto', 500, 120, 1, 3, 'table'], // one column: vertical is no narrower
    ['auto', 500, 120, 5, 0, 'table'], // no rows: keep the header
    ['table', 500, 120, 5, 3, 'table'],
    ['vertical', 10, 120, 1, 1, 'vertical'],
  ] as const)('chooseLayout(%s, table %i cols, terminal %i, %i columns, %i rows) = %s', (mode, table, term, cols, rows, expected) => {
    expect(chooseLayout(mode, table, term, cols, rows)).toBe(expected);
  });

  it('select * from the widest mart is vertical in 120 columns and fits them; a table in 1,000', async () => {
    const sql = 'select * from marts.mart_credit__portfolio_monthly order by all limit 3';
    const narrow = await shown(sql, { mode: 'auto', width: 120 });
    expect(narrow.layout).toBe('vertical');
    const lines = narrow.text.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('-[ RECORD ')).length).toBe(3);
    // L001 of 2026-09-30 comes first (order by all): 950,000.00; the names are padded to under_classified_balance (24).
    expect(lines).toContain(' balance                  │ 950,000.00');
    expect(Math.max(...lines.map(displayWidth))).toBeLessThanOrEqual(120);
    const wide = await shown(sql, { mode: 'auto', width: 1000 });
    expect(wide.layout).toBe('table');
    expect(wide.text.split('\n')[0]).toMatch(/^ as_of_month │ branch_id │ product_id +│ customer_type │ grade │/);
    expect(displayWidth(wide.text.split('\n')[1]!)).toBeGreaterThan(120);
  });
});

describe('pager', () => {
  it.each([
    [{ enabled: true, isTTY: true, lines: 40, rows: 40 }, true], // 40 lines + the prompt do not fit 40 rows
    [{ enabled: true, isTTY: true, lines: 39, rows: 40 }, false],
    [{ enabled: true, isTTY: false, lines: 1000, rows: 40 }, false], // not a terminal: never
    [{ enabled: false, isTTY: true, lines: 1000, rows: 40 }, false], // .pager off
    [{ enabled: true, isTTY: true, lines: 3, rows: 40, width: 200, columns: 120 }, true], // wider than the terminal (.mode table)
  ])('shouldPage(%o) = %s', (d, expected) => {
    expect(shouldPage(d)).toBe(expected);
  });

  it('$PAGER, else less -SFRX when installed, else none', () => {
    expect(pagerCommand({ PAGER: 'more -s' }, true)).toBe('more -s');
    expect(pagerCommand({ PAGER: '' }, true)).toBeUndefined();
    expect(pagerCommand({}, true)).toBe(DEFAULT_PAGER);
    expect(pagerCommand({}, false)).toBeUndefined();
    expect(hasCommand('sh')).toBe(true);
    expect(hasCommand('no-such-pager-cq')).toBe(false);
  });

  const paged = async (command: string) => {
    const file = join(dir, `paged-${Math.random().toString(36).slice(2)}.txt`);
    const fd = openSync(file, 'w');
    try {
      const ran = await runPager('-[ RECORD 1 ]\n a │ 1,234\n', command, fd);
      return { ran, text: readFileSync(file, 'utf8') };
    } finally {
      closeSync(fd);
    }
  };

  it('PAGER=cat: the text goes through the spawned pager', async () => {
    expect(await paged(pagerCommand({ PAGER: 'cat' }, false)!)).toEqual({ ran: true, text: '-[ RECORD 1 ]\n a │ 1,234\n' });
  });

  it.skipIf(!hasCommand('less'))('less -SFRX (writing to a file it behaves as cat)', async () => {
    expect(await paged(DEFAULT_PAGER)).toEqual({ ran: true, text: '-[ RECORD 1 ]\n a │ 1,234\n' });
  });

  it('a pager that cannot start reports false (the console then prints)', async () => {
    expect((await paged('no-such-pager-cq')).ran).toBe(false);
  });
});

describe('tab completion on the fixture warehouse', () => {
  it('tables, columns, keywords and dot commands', async () => {
    const session = await openSqlSession({ warehouse });
    try {
      const complete = sqlCompleter(session.relations);
      expect(complete('select * from core.dim_lo')).toEqual([['core.dim_loans'], 'core.dim_lo']);
      expect(complete('select * from marts.mart_risk__r')).toEqual([['marts.mart_risk__roll_rates'], 'marts.mart_risk__r']);
      // A short table name completes to schema.table.
      expect(complete('select * from dim_bra')).toEqual([['core.dim_branches'], 'dim_bra']);
      // Columns of the table the statement names.
      expect(complete('select * from core.dim_branches where branch_n')).toEqual([['branch_name_en', 'branch_name_zh'], 'branch_n']);
      expect(complete('select dim_branches.reg')).toEqual([['dim_branches.region'], 'dim_branches.reg']);
      // The FROM on an earlier line of the statement counts.
      expect(complete('where reg', 'select *\nfrom core.dim_branches')).toEqual([['region'], 'reg']);
      // Keywords in the case typed.
      expect(complete('sel')[0]).toContain('select');
      expect(complete('SEL')[0]).toContain('SELECT');
      expect(complete('select * fr')[0]).toContain('from');
      expect(complete('select * from cor')[0]).toContain('core.');
      // Dot commands and their arguments.
      expect(complete('.sch')).toEqual([['.schema'], '.sch']);
      expect(complete('.schema core.dim_b')).toEqual([['core.dim_branches'], 'core.dim_b']);
      expect(complete('.mode v')).toEqual([['vertical'], 'v']);
      // Only what the analyst can query: never the internal handle of the warehouse.
      expect(complete('select * from __cq')).toEqual([[], '__cq']);
    } finally {
      session.close();
    }
  });
});

describe('Ctrl-C', () => {
  it.each([
    [{ running: true, line: 'x', buffer: '', armed: true }, 'cancel-query', false],
    [{ running: false, line: 'select 1', buffer: '', armed: false }, 'clear-input', false],
    [{ running: false, line: '', buffer: 'select 1', armed: true }, 'clear-input', false],
    [{ running: false, line: '', buffer: '', armed: false }, 'hint', true],
    [{ running: false, line: '', buffer: '', armed: true }, 'exit', false],
  ] as const)('onInterrupt(%o) → %s', (state, action, armed) => {
    expect(onInterrupt(state)).toEqual({ action, armed });
  });

  it('in a terminal session: clears a half-typed line and an unfinished statement; twice on an empty line leaves', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const history = join(dir, 'ctrl-c-history');
    const done = runConsole({ warehouse, input, output, terminal: true, historyFile: history, auditLog: join(dir, 'audit.ndjson') });
    const until = async (re: RegExp) => {
      const started = Date.now();
      while (!re.test(text)) {
        if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${re}; output so far:\n${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const typed = (s: string) => input.write(s);
    await until(/sql> /);
    typed('select 1 as one');
    typed('\x03');
    typed('select 2 as two;\r');
    await until(/ two\n─+\n +2\n1 row/);
    typed('select 3 as three\r'); // unfinished: no ';'
    await until(/  -> \x1b\[6G$/); // the continuation prompt: 'select 3 as three' is in the statement buffer
    typed('\x03');
    typed('select 5 as five;\r'); // typed ahead, not yet handled: a Ctrl-C drops it too
    typed('\x03');
    typed('select 4 as four;\r');
    await until(/ four\n─+\n +4\n1 row/);
    typed('\x03'); // empty line: the hint
    typed('a\x7f'); // a key in between disarms: the next Ctrl-C hints again
    typed('\x03');
    typed('\x03'); // second in a row: leave
    await done;
    // The cleared text never ran, alone or glued to the next statement.
    expect(text).not.toMatch(/ one\n─|three\n─|five\n─|error/);
    expect(readFileSync(history, 'utf8').trim().split('\n')).toEqual(['select 2 as two;', 'select 4 as four;']);
    // After ^C the prompt is redrawn empty with the cursor at its start (column 6, after "sql> ").
    expect(text).toContain('select 1 as one^C\n\x1b[1G\x1b[0Jsql> \x1b[6G');
    expect(text).toContain('\x1b[1G\x1b[0J  -> \x1b[6G^C\n\x1b[1G\x1b[0Jsql> \x1b[6G');
    expect(text.split(EXIT_HINT).length - 1).toBe(2);
    expect(text.endsWith('^C\n')).toBe(true);
  });
});

describe('switches', () => {
  it('.mode, \\x and .pager in the console', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const done = runConsole({ warehouse, input, output, terminal: false, historyFile: '', auditLog: join(dir, 'audit.ndjson') });
    input.end(
      [
        '.mode vertical',
        'select 1 as a, 2 as b;',
        '\\x',
        'select 3 as c;',
        '\\x auto',
        '.mode wide',
        '.pager off',
        '.pager on',
        "select 1234567.5 as amount, 'x' as y;",
      ].join('\n'),
    );
    await done;
    expect(text).toContain('mode: vertical\n-[ RECORD 1 ]\n a │ 1\n b │ 2\n1 row');
    expect(text).toContain('mode: table\n c\n───\n 3\n1 row');
    expect(text).toContain('mode: auto\nusage: .mode table|vertical|auto\nmode: auto\n');
    expect(text).toContain('pager: off\npager: on (not used: the output is not a terminal)\n');
    expect(text).toMatch(/ amount {6}│ y\n─+┼───\n 1,234,567.5 │ x\n1 row/);
  });

  it('npm run sql -- --vertical', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', 'transforms/cli/sql.ts', '--warehouse', warehouse, '--vertical', 'select 1 as a, 1234 as b']);
    expect(r.stdout).toMatch(/^-\[ RECORD 1 \]\n a │ 1\n b │ 1,234\n1 row \(/);
  });
});
