#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one test VM run of axaddrspace.

Reads the results channel (second serial port) and the console (first
serial port) that scripts/vm-init.sh and the kernel wrote, prints results
per suite and the problems found, and writes "<passed> <failed> <skipped>"
to the counts file. KTAP is parsed with the kernel's own
tools/testing/kunit/kunit.py. Every KUnit case (each parameter of a
parameterised case), every userspace test and every health check of the
run (modules load and unload, clean console, no kmemleak report, the VM
finished in time) counts as one test.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

# Console lines that mean the kernel is unhappy, whatever the tests said.
BAD_CONSOLE = re.compile(
    r'\] (BUG|WARNING|UBSAN|INFO|Oops)\b|'
    r'general protection fault|kernel BUG at|Kernel panic|Call Trace:|'
    r'RIP: |unreferenced object|kunit_try_catch: .*crashed|'
    r'detected stalls|soft lockup|blocked for more than')
KSFT_SKIP = 4
TAP_RESULT = re.compile(r'^(not )?ok \d+ (?:- )?(.*?)(\s+#\s*(SKIP|skip).*)?$')


class Run:
    def __init__(self, label):
        self.label = label
        self.passed = self.failed = self.skipped = 0

    def check(self, ok, what, detail=''):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f'[{self.label}] FAIL: {what}' + (f': {detail}' if detail else ''))


def sections(path):
    """Yields (event, args, body lines) for every '@@' section."""
    event, args, body = None, [], []
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\r\n').replace('\r', '')
            if line.startswith('@@ '):
                if event:
                    yield event, args, body
                words = line[3:].split()
                event, args, body = words[0], words[1:], []
            elif event:
                body.append(line)
    if event:
        yield event, args, body


KTAP_LINE = re.compile(r'^(KTAP version \d+|\d+\.\.\d+|(not )?ok \d+.*|# .*)$')
LOG_PREFIX = re.compile(r'^\[\s*\d+\.\d+\] ')
TOP_HEADER = re.compile(r'^(KTAP version \d+|\d+\.\.\d+)$')


def console_ktap(console):
    """The KTAP that the KUnit module printed between the init's markers.

    Kernel messages of other sources are dropped: KTAP lines at column 0
    match the grammar, and subtest lines are indented by four spaces.
    """
    lines, inside = [], False
    with open(console, errors='replace') as f:
        for raw in f:
            line = LOG_PREFIX.sub('', raw.rstrip('\r\n'))
            if line.startswith('axas-kunit: '):
                inside = line.endswith('begin')
                continue
            # Since 6.6 the module prints a top-level header of its own:
            # one header for all modules is added below.
            if inside and TOP_HEADER.match(line):
                continue
            if inside and (line.startswith('    ') or KTAP_LINE.match(line)):
                lines.append(line)
    # Each module numbers its own suites: number them across modules.
    n = 0
    for i, line in enumerate(lines):
        m = re.match(r'^(not )?ok \d+ (.*)$', line)
        if m:
            n += 1
            lines[i] = f'{m.group(1) or ""}ok {n} {m.group(2)}'
    return ['KTAP version 1', f'1..{n}'] + lines, n


def count_group(run, group, prefix):
    for case in group.get('test_cases', []):
        if case['status'] == 'SKIP':
            run.skipped += 1
        else:
            run.check(case['status'] == 'PASS', f'KUnit {prefix}.{case["name"]}', case['status'])
    for sub in group.get('sub_groups', []):
        count_group(run, sub, f'{prefix}.{sub["name"]}')


def judge_kunit(run, console, ksrc):
    ktap, nsuites = console_ktap(console)
    if not nsuites:
        run.check(False, 'KUnit suites ran', 'no KTAP between the markers')
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'ktap')
        out = os.path.join(tmp, 'kunit.json')
        with open(path, 'w') as f:
            f.write('\n'.join(ktap) + '\n')
        kunit = os.path.join(ksrc, 'tools/testing/kunit/kunit.py')
        subprocess.run([sys.executable, kunit, 'parse', f'--json={out}', path],
                       stdout=sys.stdout, stderr=sys.stdout, check=False)
        with open(out) as f:
            result = json.load(f)
    suites = result.get('sub_groups', [])
    run.check(len(suites) == nsuites, 'KTAP parsed for every suite',
              f'{len(suites)} of {nsuites}')
    for suite in suites:
        before = (run.passed, run.failed)
        count_group(run, suite, suite['name'])
        print(f'[{run.label}] suite {suite["name"]}: '
              f'{run.passed - before[0]} passed, {run.failed - before[1]} failed')


def judge_selftest(run, name, body, rc):
    passed = failed = 0
    for line in body:
        m = TAP_RESULT.match(line)
        if not m:
            continue
        if m.group(3):
            run.skipped += 1
            continue
        run.check(not m.group(1), f'selftest {name}: {m.group(2)}')
        passed += not m.group(1)
        failed += bool(m.group(1))
    if rc == KSFT_SKIP and failed == 0 and passed == 0:
        run.skipped += 1        # the whole program skipped, as kselftest says
    elif rc != 0 and failed == 0:
        run.check(False, f'selftest {name}', f'exit status {rc}')
    if rc != 0 or failed:
        for line in body:
            print(f'    {line}')
    print(f'[{run.label}] selftest {name}: {passed} passed, {failed} failed')


def judge(args):
    run = Run(args.label)
    kunit, done, pending = False, False, {}
    if os.path.exists(args.results):
        for event, words, body in sections(args.results):
            if event == 'KUNIT':
                kunit = True
            elif event in ('INSMOD', 'RMMOD'):
                run.check(words[1] == '0', f'{event.lower()} {words[0]}', f'status {words[1]}')
            elif event == 'SELFTEST':
                pending[words[0]] = body
            elif event == 'EXIT':
                judge_selftest(run, words[0], pending.pop(words[0], []), int(words[1]))
            elif event == 'KMEMLEAK':
                leaks = [l for l in body if 'unreferenced object' in l]
                run.check(not leaks, 'kmemleak', f'{len(leaks)} leaked objects')
                for line in body[:40]:
                    print(f'    {line}')
            elif event == 'DONE':
                done = True
    for name in pending:
        run.check(False, f'selftest {name}', 'did not finish')
    if kunit:
        judge_kunit(run, args.console, args.ksrc)
    run.check(done, 'VM ran to the end', f'see {args.console}')
    bad = []
    if os.path.exists(args.console):
        with open(args.console, errors='replace') as f:
            bad = [l.rstrip() for l in f if BAD_CONSOLE.search(l)]
    run.check(not bad, 'console free of BUG/WARNING/KASAN/UBSAN/lockdep/Oops',
              f'{len(bad)} lines, first: {bad[0] if bad else ""}')
    for line in bad[:20]:
        print(f'    {line}')
    with open(args.counts, 'w') as f:
        f.write(f'{run.passed} {run.failed} {run.skipped}\n')
    print(f'[{run.label}] {run.passed} passed, {run.failed} failed, {run.skipped} skipped')
    return 0 if run.failed == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--label', required=True)
    p.add_argument('--results', required=True)
    p.add_argument('--console', required=True)
    p.add_argument('--ksrc', required=True, help='kernel source holding kunit.py')
    p.add_argument('--counts', required=True)
    sys.exit(judge(p.parse_args()))


if __name__ == '__main__':
    main()
