// What the .deb and the .rpm install: one executable, links to it, configuration files,
// documentation. Both packages are made from this one list.
import { readFileSync } from 'node:fs';
import { pluginConfText } from '../installer/munin.js';
import PLUGIN_LIST from '../plugins/list.json' with { type: 'json' };

export const PLUGINS: readonly string[] = PLUGIN_LIST;
export const EXECUTABLE = '/usr/lib/lio-munin/lio-munin';
export const COLLECTOR = '/usr/bin/lio-collector';
export const PLUGIN_LIBDIR = '/usr/share/munin/plugins';
export const PLUGIN_CONF = '/etc/munin/plugin-conf.d/lio-munin';
export const CRON_FILE = '/etc/cron.d/lio-collector';
export const METRICS_CRON_FILE = '/etc/cron.d/lio-collector-metrics';
export const DOC_DIR = '/usr/share/doc/lio-munin';
/** Node.js's LICENSE file: its own license and its libraries'. */
export const NODE_LICENSES = `${DOC_DIR}/nodejs-licenses.gz`;
/** Where the checkout install puts the collector, as the unit and cron sources name it. */
const CHECKOUT_COLLECTOR = '/usr/local/bin/lio-collector';

export type Entry =
  | { kind: 'file'; path: string; mode: number; content: Buffer; conffile?: boolean }
  | { kind: 'link'; path: string; target: string };

/** Debian keeps units in /lib/systemd/system (bookworm: before the /usr merge); RPM distributions in /usr/lib. */
export type Flavour = 'deb' | 'rpm';

export const unitPath = (flavour: Flavour) => `${flavour === 'deb' ? '' : '/usr'}/lib/systemd/system/lio-collector.service`;

/** The systemd unit and the cron files of the checkout, with the packaged collector's path. */
function forPackage(source: string, flavour: Flavour): Buffer {
  const text = readFileSync(source, 'utf8');
  if (!text.includes(CHECKOUT_COLLECTOR)) throw new Error(`${source} does not name ${CHECKOUT_COLLECTOR}`);
  return Buffer.from(
    text
      .split(CHECKOUT_COLLECTOR)
      .join(COLLECTOR)
      .replace('Installed as\n# /etc/systemd/system/lio-collector.service', `Installed as\n# ${unitPath(flavour)}`),
  );
}

/** A link from one system path to another, relative within /usr as Debian policy asks. */
export function linkTarget(from: string, to: string): string {
  const up = from.split('/').length - 2;
  return '../'.repeat(up - 1) + to.split('/').slice(2).join('/');
}

/**
 * The payload around the executable. Documentation is
 * added by each package's own rules (compressed for Debian).
 */
export function payload(executable: Buffer, flavour: Flavour): Entry[] {
  const link = (path: string): Entry => ({ kind: 'link', path, target: linkTarget(path, EXECUTABLE) });
  return [
    { kind: 'file', path: EXECUTABLE, mode: 0o755, content: executable },
    ...PLUGINS.map((name) => link(`${PLUGIN_LIBDIR}/${name}`)),
    link(COLLECTOR),
    { kind: 'file', path: unitPath(flavour), mode: 0o644, content: forPackage('systemd/lio-collector.service', flavour) },
    { kind: 'file', path: CRON_FILE, mode: 0o644, content: forPackage('cron/lio-collector', flavour), conffile: true },
    { kind: 'file', path: METRICS_CRON_FILE, mode: 0o644, content: forPackage('cron/lio-collector-metrics', flavour), conffile: true },
    { kind: 'file', path: PLUGIN_CONF, mode: 0o644, content: Buffer.from(pluginConfText({ drbd9: 'package', pacemaker: 'package' })), conffile: true },
  ];
}
