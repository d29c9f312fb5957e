/** The first number of the proxy's `/directory`, fetched as a caller from an address of its own. */
import { get } from 'node:http';
import type { DirectoryEntry } from '../../server/line.js';

/**
 * GET /directory from `localAddress` (127.0.0.9 unless given), so that tests of the per-address
 * caps do not count their own look at the directory against the callers they test.
 */
export function firstDirectoryEntryFrom(port: number, localAddress = '127.0.0.9'): Promise<DirectoryEntry> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/directory', localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve((JSON.parse(body) as { numbers: DirectoryEntry[] }).numbers[0] as DirectoryEntry);
        } catch (error) {
          reject(new Error(`/directory answered ${res.statusCode}: ${body}`, { cause: error }));
        }
      });
    });
    req.on('error', reject);
  });
}
