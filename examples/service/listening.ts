/** The URL a service child process prints once it listens ("listening on http://..."). */
import type { ChildProcess } from 'node:child_process';

export function listeningUrl(service: ChildProcess, echo?: (chunk: Buffer) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    service.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      echo?.(d);
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    service.once('exit', (code) => reject(new Error(`the service exited (${code}) before listening: ${out}`)));
  });
}
