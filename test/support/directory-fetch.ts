/** The first number of the proxy's `/directory`, fetched as a caller from an address of its own. */
import { get } from 'node:http';

export interface DirectoryLine {
  readonly inUse: number;
  readonly free: number | null;
}

/**
 * GET /directory from `localAddress` (127.0.0.9 unless given), so that tests of the per-address
 * caps do not count their own look at the directory against the callers they test.
 */
export function directory(port: number, localAddress = '127.0.0.9'): Promise<DirectoryLine> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/directory', localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve((JSON.parse(body) as { numbers: DirectoryLine[] }).numbers[0] as DirectoryLine);
        } catch (error) {
          reject(new Error(`/directory answered ${res.statusCode}: ${body}`, { cause: error }));
        }
      });
    });
    req.on('error', reject);
  });
}
