/** `m2bbs keys NAME [--dir DIR]`: makes a CURVE key pair as ZeroMQ certificate files. */
import { BbsError, isBbsError } from './errors.js';
import { parseTable, usageText, type FlagTable } from './flag-table.js';
import { writeKeyPair } from './curve-cert.js';

/** The flags of `m2bbs keys`. */
export const KEYS_FLAGS = {
  dir: { kind: 'string', arg: 'DIR', env: 'M2BBS_KEYS_DIR', default: '.', help: 'the folder the two files are written to (it must exist)' },
} as const satisfies FlagTable;

/** What `m2bbs keys --help` prints, generated from its flag table. */
export const KEYS_USAGE = usageText(
  'm2bbs keys NAME [--dir DIR]',
  `Makes a CURVE key pair for a proxy or a backend on another host, as ZeroMQ certificate files
(CZMQ's zcert format): NAME.key, the secret certificate (both keys, mode 0600: keep it on this
host), and NAME.pub, the public certificate to copy to the other side. An existing file is never
overwritten. NAME: letters, digits, '.', '_' or '-'. Name a backend's pair after the number it
serves (m2bbs keys bbs.20): the proxy lets its key in on that number's endpoints only, as
--curve-clients DIR/bbs.20.pub (or any .pub in DIR/bbs.20/).`,
  KEYS_FLAGS,
);

/** Runs `m2bbs keys`: writes the two files and says where. */
export async function runKeys(argv: readonly string[]): Promise<void> {
  const { values, positionals, problems } = parseTable('m2bbs keys', KEYS_USAGE, KEYS_FLAGS, argv, process.env, 1);
  const [name] = positionals;
  if (name === undefined) throw new BbsError('BBS_ERR_USAGE', `m2bbs keys: expected a NAME for the key pair\n\n${KEYS_USAGE}`);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name.startsWith('.')) problems.add(`NAME: expected letters, digits, '.', '_' or '-' (not first '.'), got "${name}"`);
  problems.check('m2bbs keys');
  let made;
  try {
    made = writeKeyPair(values.dir, name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = isBbsError(error, 'BBS_ERR_KEY_EXISTS') ? error.message : code === 'ENOENT' ? `the folder ${values.dir} does not exist` : (error as Error).message;
    throw new BbsError('BBS_ERR_CONFIG', `m2bbs keys: ${why}`, { cause: error });
  }
  console.log(`Wrote ${made.secretFile} (secret: keep it here, mode 0600) and ${made.publicFile} (public key ${made.publicKey}: copy it to the other side).`);
}
