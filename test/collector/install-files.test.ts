// The install files: the systemd unit passes systemd-analyze verify and keeps what the daemon
// needs; the cron.d file has the original schedule, and its lines work as cron runs them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_SECONDS } from '../../collector/options.js';
import { COLLECTOR, gunzipText, listFiles, referenceText, requireBuiltCollector } from '../support/collector-cli.js';
import { buildLioTree, seedSystem } from '../support/lio-tree.js';
import { tempDir } from '../support/tmp.js';

const unitPath = new URL('../../systemd/lio-collector.service', import.meta.url).pathname;
const cronPath = new URL('../../cron/lio-collector', import.meta.url).pathname;
const INSTALLED = '/usr/local/bin/lio-collector';

beforeAll(() => requireBuiltCollector());

describe('systemd/lio-collector.service', () => {
  const unit = readFileSync(unitPath, 'utf8');
  const settings = unit.split('\n').filter((line) => /^\w+=/.test(line));

  it('runs the daemon with the settings the issue asks for', () => {
    for (const line of [
      `ExecStart=${INSTALLED} run`,
      'Restart=on-failure',
      'Nice=19',
      'IOSchedulingClass=idle',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/log/lio',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'ProtectHome=yes',
      // SIGTERM to the daemon only, so that the snapshot in progress can finish.
      'KillMode=mixed',
    ]) {
      expect(settings).toContain(line);
    }
    const stopSeconds = Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)?.[1]);
    expect(stopSeconds).toBeGreaterThan(Number(DEFAULT_TIMEOUT_SECONDS) + 5);
    // /proc/drbd and configfs must stay readable.
    expect(unit).not.toMatch(/^ProcSubset=pid/m);
    expect(unit).not.toMatch(/^(InaccessiblePaths|TemporaryFileSystem)=.*\/(sys|proc)/m);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it.skipIf(!analyze)('passes systemd-analyze verify', () => {
    const dir = tempDir('lio-collector-');
    // verify checks that ExecStart exists: point it at the built file.
    writeFileSync(`${dir}/lio-collector.service`, unit.replace(INSTALLED, COLLECTOR));
    const verify = spawnSync('systemd-analyze', ['verify', `${dir}/lio-collector.service`], { encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });

  // On DRBD 9 a stats snapshot runs `drbdsetup events2 --now --statistics`, which talks generic
  // netlink to the drbd module: the unit must allow AF_NETLINK sockets and keep the service in
  // the initial network namespace (DRBD 9.0 and 9.1 register the drbd family there only), and
  // still needs no capability (the unit's comments give the sources).
  it('lets drbdsetup reach the drbd module: AF_NETLINK, no private network, still no capabilities', () => {
    const values = (name: string) => settings.filter((line) => line.startsWith(`${name}=`));
    expect(values('RestrictAddressFamilies')).toEqual(['RestrictAddressFamilies=AF_UNIX AF_NETLINK']);
    expect(values('CapabilityBoundingSet')).toEqual(['CapabilityBoundingSet=']);
    expect(values('AmbientCapabilities')).toEqual(['AmbientCapabilities=']);
    expect(values('PrivateNetwork')).toEqual([]);
    expect(values('NetworkNamespacePath')).toEqual([]);
    // The rest of the hardening stays: no IP traffic, no privileged system calls.
    for (const line of [
      'IPAddressDeny=any',
      'NoNewPrivileges=yes',
      'RestrictSUIDSGID=yes',
      'PrivateDevices=yes',
      'ProtectKernelModules=yes',
      'SystemCallFilter=@system-service',
      'SystemCallFilter=~@privileged',
      'SystemCallErrorNumber=EPERM',
    ]) {
      expect(settings).toContain(line);
    }
  });

  // drbdsetup run under the unit's RestrictAddressFamilies=, SystemCallFilter=,
  // CapabilityBoundingSet= and NoNewPrivileges=, applied the way systemd applies them (seccomp:
  // socket() of another family fails with EAFNOSUPPORT, another system call with EPERM), since
  // PID 1 may not be systemd where the tests run. There is no drbd module here, so drbdsetup
  // always ends with "Could not connect to 'drbd' generic netlink family"; what tells the units
  // apart is the line before it, "<1>error creating netlink socket" (drbd-utils
  // user/shared/libgenl.c genl_connect_to_family), printed when socket(AF_NETLINK, ...) failed.
  // Without the module, PrivateNetwork= cannot be told apart here: the family lookup fails in any
  // network namespace.
  const DRBDSETUP = '/usr/sbin/drbdsetup';
  const PYTHON = '/usr/bin/python3';
  const sandboxable =
    analyze &&
    process.getuid?.() === 0 &&
    existsSync(DRBDSETUP) &&
    // A node with a drbd module: drbdsetup would really talk to it.
    !existsSync('/proc/drbd') &&
    spawnSync(PYTHON, ['-c', 'import seccomp']).status === 0;

  /** The system calls the unit's SystemCallFilter= lines allow, groups expanded by systemd-analyze. */
  function allowedSyscalls(): string[] {
    const expand = (name: string, seen: Set<string>): string[] => {
      if (!name.startsWith('@')) return [name];
      if (seen.has(name)) return [];
      seen.add(name);
      const listed = spawnSync('systemd-analyze', ['syscall-filter', name], { encoding: 'utf8' });
      if (listed.status !== 0) throw new Error(`systemd-analyze syscall-filter ${name}: ${listed.stderr}`);
      return listed.stdout
        .split('\n')
        .slice(1)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'))
        .flatMap((entry) => expand(entry, seen));
    };
    const allowed = new Set<string>();
    for (const line of settings.filter((l) => l.startsWith('SystemCallFilter='))) {
      const value = line.slice('SystemCallFilter='.length);
      const deny = value.startsWith('~');
      const names = (deny ? value.slice(1) : value).split(/\s+/).flatMap((name) => expand(name, new Set()));
      for (const name of names) {
        if (deny) allowed.delete(name);
        else allowed.add(name);
      }
    }
    return [...allowed];
  }

  // Python with Debian's python3-seccomp (libseccomp): first socket() limited to the families, as
  // systemd's seccomp_restrict_address_families does, then the system call allow-list; then exec.
  const SECCOMP_EXEC = [
    'import errno, json, os, socket, sys, seccomp',
    'spec = json.loads(sys.argv[1])',
    'allowed = {getattr(socket, name) for name in spec["families"]}',
    'families = seccomp.SyscallFilter(seccomp.ALLOW)',
    'for af in range(64):',
    '    if af not in allowed:',
    '        families.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, af))',
    'families.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.GE, 64))',
    'families.load()',
    'calls = seccomp.SyscallFilter(seccomp.ERRNO(errno.EPERM))',
    'for name in spec["syscalls"]:',
    '    try:',
    '        calls.add_rule(seccomp.ALLOW, name)',
    '    except (ValueError, RuntimeError, OSError):',
    '        pass  # not a system call of this architecture or libseccomp',
    'calls.load()',
    'os.execv(spec["argv"][0], spec["argv"])',
  ].join('\n');

  /** `drbdsetup events2 --now --statistics` as the unit would run it, socket() limited to families. */
  function drbdsetupSandboxed(families: string[], syscalls: string[]) {
    const spec = JSON.stringify({ families, syscalls, argv: [DRBDSETUP, 'events2', '--now', '--statistics'] });
    // drbdsetup first checks for /proc/drbd (and runs modprobe without it: modprobe_drbd in
    // user/v9/drbdsetup_linux.c), then reads its version line: a mount namespace gives it a DRBD 9 one.
    const script = [
      'mount -t tmpfs -o mode=0755 lio-test-proc /proc',
      "printf 'version: 9.2.8 (api:2/proto:86-122)\\n' > /proc/drbd",
      `exec setpriv --no-new-privs --bounding-set=-all --inh-caps=-all --ambient-caps=-all -- ${PYTHON} -c "$0" "$1"`,
    ].join('\n');
    const run = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-ec', script, SECCOMP_EXEC, spec], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
    // Newer drbd-utils also warn that the receive buffer stayed small (SO_RCVBUFFORCE needs
    // CAP_NET_ADMIN): that needs the socket, and does not matter for a dump.
    const said = run.stderr.split('\n').filter((line) => line !== '' && !/^<1>tried to set SO_(SND|RCV)BUF/.test(line));
    return { status: run.status, said };
  }

  it.skipIf(!sandboxable)('drbdsetup under its filters gets its netlink socket (and did not under AF_UNIX alone)', () => {
    const syscalls = allowedSyscalls();
    const line = settings.find((l) => l.startsWith('RestrictAddressFamilies='))!;
    const unitRun = drbdsetupSandboxed(line.slice('RestrictAddressFamilies='.length).split(/\s+/), syscalls);
    expect(unitRun).toEqual({ status: 20, said: ["Could not connect to 'drbd' generic netlink family"] });
    // The old RestrictAddressFamilies=AF_UNIX: socket() refused, so the same run says so.
    const oldRun = drbdsetupSandboxed(['AF_UNIX'], syscalls);
    expect(oldRun).toEqual({ status: 20, said: ['<1>error creating netlink socket', "Could not connect to 'drbd' generic netlink family"] });
  });
});

describe('cron/lio-collector', () => {
  const text = readFileSync(cronPath, 'utf8');
  // Installed disabled: the entries are the lines that are a schedule once their "#" is removed.
  const lines = text
    .split('\n')
    .filter((line) => /^#[\d*]/.test(line))
    .map((line) => line.slice(1));
  const entries = lines.map((line) => {
    const fields = line.split(/\s+/);
    return { schedule: fields.slice(0, 5).join(' '), user: fields[5], command: fields.slice(6).join(' ') };
  });

  it('installed disabled: no active entry, only the environment lines', () => {
    expect(text.split('\n').filter((line) => line.trim() && !line.startsWith('#'))).toEqual([
      'SHELL=/bin/sh',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ]);
  });

  it('the original schedule, as root, with nice and ionice', () => {
    expect(entries.map((e) => [e.schedule, e.user, /lio-collector (snapshot \w+|prune)/.exec(e.command)?.[1]])).toEqual([
      ['* * * * *', 'root', 'snapshot stats'],
      ['59 * * * *', 'root', 'snapshot full'],
      ['58 23 * * *', 'root', 'prune'],
    ]);
    for (const e of entries) expect(e.command).toContain(`nice -n 19 ionice -c 3 ${INSTALLED} `);
  });

  describe('its lines, run by sh as cron does', () => {
    const dir = tempDir('lio-collector-');
    const root = `${dir}/target`;
    const archive = `${dir}/archive`;
    beforeAll(() => buildLioTree(root, seedSystem()));
    /** The line's command with the built collector reading our tree, and our lock files. */
    const command = (index: number) =>
      entries[index].command
        .replace(/\/run\/lock\//g, `${dir}/`)
        .replace(/\/usr\/local\/bin\/lio-collector (snapshot \w+|prune)/, `${COLLECTOR} $1 --archive ${archive}`)
        .replace(/(snapshot \w+) /, `$1 --root ${root} --no-drbd --no-crm-mon `);

    it('the stats and full lines write their snapshots, silently', () => {
      for (const index of [0, 1]) {
        const run = spawnSync('sh', ['-c', command(index)], { encoding: 'utf8' });
        expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
      }
      const files = listFiles(archive);
      expect(files).toHaveLength(2);
      expect(gunzipText(`${archive}/${files.find((f) => f.includes('statistics'))}`)).toBe(referenceText(root, 'stats'));
    });

    it('a run while the previous one holds the lock is skipped, with one line on stderr', async () => {
      const lock = command(0).match(/flock -n -E 75 (\S+)/)![1];
      const holder = spawn('flock', [lock, 'sh', '-c', 'echo locked; exec sleep 30']);
      try {
        await new Promise((resolve) => holder.stdout.once('data', resolve));
        const run = spawnSync('sh', ['-c', command(0)], { encoding: 'utf8' });
        expect(run.stderr).toBe('lio-collector: snapshot stats: skipped, the previous one is still running\n');
      } finally {
        holder.kill();
      }
    });

    it('the prune line prunes', () => {
      mkdirSync(`${archive}/20000101`);
      writeFileSync(`${archive}/20000101/lio-statistics-200001010000.gz`, '');
      const run = spawnSync('sh', ['-c', command(2)], { encoding: 'utf8' });
      expect(run).toMatchObject({ status: 0, stdout: '', stderr: '' });
      expect(existsSync(`${archive}/20000101`)).toBe(false);
      expect(listFiles(archive)).toHaveLength(2);
    });
  });
});
