// Munin field names: valid, short enough for an RRD file name, unique, and the same for the same
// tree on every run and on both nodes of a failover pair.
import type * as Crypto from 'node:crypto';
import { builtin } from '../lazy.js';

/** The original plugins' cleaning: lowercase, '-' to '_', drop everything else not [a-z0-9_]. */
export function cleanName(raw: string): string {
  return raw.toLowerCase().replace(/-/g, '_').replace(/[^a-z0-9_]/g, '');
}

/**
 * Field names stay within this length so that `<host>-<plugin>-<field>-d.rrd` fits in a
 * 255-byte file name with room for a host name of up to 80 characters.
 */
export const MAX_FIELD_NAME = 160;

function shortHash(text: string): string {
  // Only collided or over-long names need a hash: node:crypto is loaded for them alone.
  return builtin<typeof Crypto>('node:crypto').createHash('sha1').update(text).digest('hex').slice(0, 8);
}

const VALID_NAME = /^[A-Za-z0-9_]*$/;
/** A name that needs no change but perhaps shortening: valid, and not starting with a digit. */
const FIT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A candidate field name made valid and short enough; identity decides the hash of a long one. */
function fitFieldName(name: string, identity: string, maxLength = MAX_FIELD_NAME): string {
  // Most names are fit already: one test is cheaper than two, or a replace, in each of thousands.
  if (name.length <= maxLength && name !== 'root' && FIT_NAME.test(name)) return name;
  let valid = VALID_NAME.test(name) ? name : name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(valid)) valid = '_' + valid;
  if (valid === 'root') valid = '_root';
  if (valid.length > maxLength) valid = valid.slice(0, maxLength - 9) + '_' + shortHash(identity);
  return valid;
}

/**
 * Makes candidate field names valid, short enough and unique, one at a time in print order.
 * `identity` is what the field stands for (e.g. the configfs path); it decides the suffix that
 * tells two colliding fields apart, so the same tree always gives the same names. Of a group of
 * colliding names, the first in input order keeps the plain name.
 */
export class FieldNames {
  private readonly taken = new Set<string>();

  /**
   * maxLength: shorter than MAX_FIELD_NAME where the RRD file name holds more than the field,
   * e.g. a multigraph child's name too.
   */
  constructor(private readonly maxLength = MAX_FIELD_NAME) {}

  next(name: string, identity: string): string {
    let result = fitFieldName(name, identity, this.maxLength);
    // Same identity twice would be a caller's bug; a counter keeps even that unique.
    for (let n = 1; this.taken.has(result); n++) {
      const suffix = '_' + shortHash(n === 1 ? identity : `${identity}#${n}`);
      result = fitFieldName(name, identity, this.maxLength).slice(0, this.maxLength - suffix.length) + suffix;
    }
    this.taken.add(result);
    return result;
  }
}
