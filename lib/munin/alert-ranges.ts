// Munin warning/critical ranges with defaults per kind of field and overrides from plugin-conf.d:
// env.<kind>_warning for every field of a kind, env.<field>_warning for one field (which wins),
// `off` for none. munin-limits alerts on what the config prints.

export type Level = 'warning' | 'critical';
export type Ranges = Partial<Record<Level, string | undefined>>;

/** A kind of field and its default ranges. */
export interface RangeDefault {
  kind: string;
  warning?: string;
  critical?: string;
}

/** A range as set: `off` (or nothing) for none. */
const rangeSetting = (set: string) => (set.trim() === '' || set.trim() === 'off' ? undefined : set.trim());

export class AlertRanges {
  private readonly kinds = new Map<string, Ranges>();
  private readonly fields = new Map<string, Ranges>();

  /**
   * Reads the settings once. fieldPattern tells a field's setting from anything else in the
   * environment: it must match the whole field name (e.g. /^drbd\w+$/).
   */
  constructor(settings: Record<string, string | undefined>, defaults: readonly RangeDefault[], fieldPattern: RegExp) {
    for (const d of defaults) {
      const ranges: Ranges = {};
      for (const level of ['warning', 'critical'] as const) {
        const set = settings[`${d.kind}_${level}`];
        ranges[level] = set === undefined ? d[level] : rangeSetting(set);
      }
      this.kinds.set(d.kind, ranges);
    }
    for (const [key, set] of Object.entries(settings)) {
      const m = /^(\w+)_(warning|critical)$/.exec(key);
      if (!m || set === undefined || this.kinds.has(m[1]!) || !fieldPattern.test(m[1]!)) continue;
      const ranges = this.fields.get(m[1]!) ?? {};
      ranges[m[2] as Level] = rangeSetting(set);
      this.fields.set(m[1]!, ranges);
    }
  }

  /** The ranges of field `name` of `kind`: its own setting, else its kind's. */
  of(kind: string, name: string): Ranges {
    const base = this.kinds.get(kind) ?? {};
    const own = this.fields.get(name);
    if (!own) return base;
    return { warning: 'warning' in own ? own.warning : base.warning, critical: 'critical' in own ? own.critical : base.critical };
  }
}
